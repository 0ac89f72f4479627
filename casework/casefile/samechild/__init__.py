"""One child, one case: the duplicate check across teams and the "possible same child"
items it leaves behind (`duplicates.py`), cases linked as one child's (`links.py`), and
merging two linked cases once both leads agree (`merging.py`)."""
