"""Romanisation against the examples of the official tables."""

from __future__ import annotations

import pytest

from casework.names import romanisations, romanise
from casework.names.romanise import (
    BELARUSIAN,
    ICAO_9303,
    RU_BGN_PCGN,
    RUSSIAN,
    UK_2010,
    UKRAINIAN,
    languages,
)

# Examples given in the table of resolution No. 55 of the Cabinet of Ministers of
# Ukraine (27 January 2010).
UK_2010_EXAMPLES = [
    ("Алушта", "alushta"),
    ("Андрій", "andrii"),
    ("Борщагівка", "borshchahivka"),
    ("Борисенко", "borysenko"),
    ("Вінниця", "vinnytsia"),
    ("Володимир", "volodymyr"),
    ("Гадяч", "hadiach"),
    ("Богдан", "bohdan"),
    ("Згурський", "zghurskyi"),
    ("Ґалаґан", "galagan"),
    ("Ґорґани", "gorgany"),
    ("Донецьк", "donetsk"),
    ("Дмитро", "dmytro"),
    ("Рівне", "rivne"),
    ("Олег", "oleh"),
    ("Есмань", "esman"),
    ("Єнакієве", "yenakiieve"),
    ("Гаєвич", "haievych"),
    ("Короп'є", "koropie"),
    ("Житомир", "zhytomyr"),
    ("Жанна", "zhanna"),
    ("Жежелів", "zhezheliv"),
    ("Закарпаття", "zakarpattia"),
    ("Казимирчук", "kazymyrchuk"),
    ("Медвин", "medvyn"),
    ("Михайленко", "mykhailenko"),
    ("Іванків", "ivankiv"),
    ("Іващенко", "ivashchenko"),
    ("Їжакевич", "yizhakevych"),
    ("Кадиївка", "kadyivka"),
    ("Мар'їне", "marine"),
    ("Йосипівка", "yosypivka"),
    ("Стрий", "stryi"),
    ("Олексій", "oleksii"),
    ("Київ", "kyiv"),
    ("Коваленко", "kovalenko"),
    ("Лебедин", "lebedyn"),
    ("Леонід", "leonid"),
    ("Мелітополь", "melitopol"),
    ("Нікополь", "nikopol"),
    ("Онисія", "onysiia"),
    ("Полтава", "poltava"),
    ("Петро", "petro"),
    ("Решетилівка", "reshetylivka"),
    ("Рибчинський", "rybchynskyi"),
    ("Суми", "sumy"),
    ("Соломія", "solomiia"),
    ("Тернопіль", "ternopil"),
    ("Троць", "trots"),
    ("Ужгород", "uzhhorod"),
    ("Уляна", "uliana"),
    ("Фастів", "fastiv"),
    ("Філіпчук", "filipchuk"),
    ("Харків", "kharkiv"),
    ("Христина", "khrystyna"),
    ("Біла Церква", "bila tserkva"),
    ("Стеценко", "stetsenko"),
    ("Чернівці", "chernivtsi"),
    ("Шевченко", "shevchenko"),
    ("Шостка", "shostka"),
    ("Кишеньки", "kyshenky"),
    ("Щербухи", "shcherbukhy"),
    ("Гоща", "hoshcha"),
    ("Гаращенко", "harashchenko"),
    ("Юрій", "yurii"),
    ("Корюківка", "koriukivka"),
    ("Яготин", "yahotyn"),
    ("Ярошенко", "yaroshenko"),
    ("Костянтин", "kostiantyn"),
    ("Знам'янка", "znamianka"),
    ("Феодосія", "feodosiia"),
]


@pytest.mark.parametrize(("cyrillic", "latin"), UK_2010_EXAMPLES)
def test_ukrainian_national_system_of_2010(cyrillic: str, latin: str) -> None:
    assert romanise(cyrillic, UK_2010) == latin
    for word, spelt in zip(cyrillic.split(), latin.split(), strict=True):
        assert spelt in romanisations(word)


# ICAO Doc 9303 part 3: the Cyrillic table and its language notes; the Russian examples
# are as Russian passports print them, the Belarusian ones from the table's examples.
@pytest.mark.parametrize(
    ("cyrillic", "language", "latin"),
    [
        ("Юлия", RUSSIAN, "iuliia"),
        ("Наталья", RUSSIAN, "natalia"),
        ("Фёдор", RUSSIAN, "fedor"),
        ("Подъячев", RUSSIAN, "podieiachev"),
        ("Шаманский", RUSSIAN, "shamanskii"),
        ("Щукин", RUSSIAN, "shchukin"),
        ("Эдуард Цыганков", RUSSIAN, "eduard tsygankov"),
        ("Бабрыковіч Аляксандр", BELARUSIAN, "babrykovich aliaksandr"),
        ("Міховіч Марыя", BELARUSIAN, "mikhovich maryia"),
        ("Святлана", BELARUSIAN, "sviatlana"),
        ("Ігар", BELARUSIAN, "ihar"),
        ("Мікалай", BELARUSIAN, "mikalai"),
        ("Палто Алена", BELARUSIAN, "palto alena"),
        ("Ўладзімір", BELARUSIAN, "uladzimir"),
        ("Вольга", BELARUSIAN, "volha"),
        ("Ганна Мельник", UKRAINIAN, "ganna melnyk"),
        ("Євгенія", UKRAINIAN, "ievgeniia"),
        ("Їжак Йосип", UKRAINIAN, "izhak iosyp"),
    ],
)
def test_icao_9303(cyrillic: str, language: str, latin: str) -> None:
    assert romanise(cyrillic, ICAO_9303, language) == latin


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Юлия", "yuliya"),
        ("Ельцин", "yeltsin"),
        ("Наталья", "natalya"),
        ("Андрей", "andrey"),
        ("Ёлкин", "yelkin"),
        ("Сергеевич", "sergeyevich"),
        ("Хрущёв", "khrushchev"),
    ],
)
def test_bgn_pcgn_for_russian(cyrillic: str, latin: str) -> None:
    assert romanise(cyrillic, RU_BGN_PCGN) == latin


@pytest.mark.parametrize(
    ("word", "fits"),
    [
        ("Михайло", (UKRAINIAN, RUSSIAN)),  # Belarusian has no И
        ("Ірина", (UKRAINIAN,)),
        ("Їжак", (UKRAINIAN,)),
        ("Фёдор", (RUSSIAN, BELARUSIAN)),
        ("Щукин", (UKRAINIAN, RUSSIAN)),
        ("Ўладзімір", (BELARUSIAN,)),
        ("Наталья", (UKRAINIAN, RUSSIAN, BELARUSIAN)),
    ],
)
def test_a_word_is_romanised_in_every_language_whose_alphabet_it_fits(
    word: str, fits: tuple[str, ...]
) -> None:
    assert languages(word) == fits


def test_every_system_is_offered_for_a_word_of_several_languages() -> None:
    assert romanisations("Юлія") == {"yuliia", "iuliia"}
    assert romanisations("Юлия") == {"iuliia", "yuliya", "iulyia", "yulyia"}
    assert romanisations("Maria") == frozenset()


def test_an_unknown_system_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown romanisation system"):
        romanise("Юлия", "gost-1876")
