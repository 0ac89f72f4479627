"""domain: the child's record, identification, migration, guardians, flags, lifecycle

Revision ID: 0006_domain
Revises: 0002_access
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_domain"
down_revision: str | None = "0005_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "age_assessment",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("status_enc", sa.LargeBinary(), nullable=False),
        sa.Column("method_enc", sa.LargeBinary(), nullable=True),
        sa.Column("assessor_enc", sa.LargeBinary(), nullable=True),
        sa.Column("assessed_on_enc", sa.LargeBinary(), nullable=True),
        sa.Column("age_min_enc", sa.LargeBinary(), nullable=True),
        sa.Column("age_max_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_age_assessment_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_age_assessment")),
        sa.UniqueConstraint("case_id", name=op.f("uq_age_assessment_case_id")),
    )
    op.create_table(
        "case_flag",
        sa.Column("raised_by_id", sa.Uuid(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Uuid(), nullable=True),
        sa.Column("kind_enc", sa.LargeBinary(), nullable=False),
        sa.Column("text_enc", sa.LargeBinary(), nullable=True),
        sa.Column("resolution_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_flag_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_flag_raised_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_flag_resolved_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_flag")),
    )
    with op.batch_alter_table("case_flag", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_flag_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_status_change",
        sa.Column("changed_by_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("note_enc", sa.LargeBinary(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_status_change_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user_account.id"],
            name=op.f("fk_case_status_change_changed_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_status_change")),
    )
    with op.batch_alter_table("case_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_case_status_change_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "child_alias",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_child_alias_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_alias")),
    )
    with op.batch_alter_table("child_alias", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_alias_case_id"), ["case_id"], unique=False)

    op.create_table(
        "guardian",
        sa.Column("kind_enc", sa.LargeBinary(), nullable=False),
        sa.Column("name_enc", sa.LargeBinary(), nullable=True),
        sa.Column("appointing_authority_enc", sa.LargeBinary(), nullable=False),
        sa.Column("appointed_on_enc", sa.LargeBinary(), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.Column("ended_on_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_guardian_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian")),
    )
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guardian_case_id"), ["case_id"], unique=False)

    op.create_table(
        "identification_decision",
        sa.Column("stage_enc", sa.LargeBinary(), nullable=False),
        sa.Column("decision_maker_enc", sa.LargeBinary(), nullable=False),
        sa.Column("decided_on_enc", sa.LargeBinary(), nullable=False),
        sa.Column("outcome_enc", sa.LargeBinary(), nullable=False),
        sa.Column("assistance_unconditional_enc", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_identification_decision_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identification_decision")),
    )
    with op.batch_alter_table("identification_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identification_decision_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "identification_event",
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("identified_on_enc", sa.LargeBinary(), nullable=False),
        sa.Column("jurisdiction_enc", sa.LargeBinary(), nullable=False),
        sa.Column("actor_type_enc", sa.LargeBinary(), nullable=False),
        sa.Column("context_enc", sa.LargeBinary(), nullable=False),
        sa.Column("indicators_enc", sa.LargeBinary(), nullable=False),
        sa.Column("exploitation_types_enc", sa.LargeBinary(), nullable=False),
        sa.Column("ict_facilitated_enc", sa.LargeBinary(), nullable=False),
        sa.Column("recruitment_method_enc", sa.LargeBinary(), nullable=False),
        sa.Column("narrative_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_identification_event_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_identification_event_recorded_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identification_event")),
    )
    with op.batch_alter_table("identification_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_identification_event_case_id"), ["case_id"], unique=False
        )

    op.create_table(
        "identity_document",
        sa.Column("kind_enc", sa.LargeBinary(), nullable=False),
        sa.Column("number_enc", sa.LargeBinary(), nullable=True),
        sa.Column("issuing_country_enc", sa.LargeBinary(), nullable=True),
        sa.Column("expires_on_enc", sa.LargeBinary(), nullable=True),
        sa.Column("check_enc", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_identity_document_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_document")),
    )
    with op.batch_alter_table("identity_document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_identity_document_case_id"), ["case_id"], unique=False)

    op.create_table(
        "migration_status",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("care_situation_enc", sa.LargeBinary(), nullable=False),
        sa.Column("residence_status_enc", sa.LargeBinary(), nullable=False),
        sa.Column("origin_countries_enc", sa.LargeBinary(), nullable=False),
        sa.Column("transit_countries_enc", sa.LargeBinary(), nullable=False),
        sa.Column("reflection_country_enc", sa.LargeBinary(), nullable=True),
        sa.Column("reflection_start_enc", sa.LargeBinary(), nullable=True),
        sa.Column("reflection_end_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_migration_status_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migration_status")),
        sa.UniqueConstraint("case_id", name=op.f("uq_migration_status_case_id")),
    )
    op.create_table(
        "placement",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind_enc", sa.LargeBinary(), nullable=False),
        sa.Column("address_enc", sa.LargeBinary(), nullable=True),
        sa.Column("since_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_placement_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_placement")),
        sa.UniqueConstraint("case_id", name=op.f("uq_placement_case_id")),
    )
    op.create_table(
        "investigation_detail",
        sa.Column("identification_id", sa.Uuid(), nullable=False),
        sa.Column("reference_enc", sa.LargeBinary(), nullable=True),
        sa.Column("suspects_enc", sa.LargeBinary(), nullable=True),
        sa.Column("evidence_notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_investigation_detail_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["identification_id"],
            ["identification_event.id"],
            name=op.f("fk_investigation_detail_identification_id_identification_event"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation_detail")),
        sa.UniqueConstraint(
            "identification_id", name=op.f("uq_investigation_detail_identification_id")
        ),
    )
    with op.batch_alter_table("investigation_detail", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_investigation_detail_case_id"), ["case_id"], unique=False
        )

    with op.batch_alter_table("case_history", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("change", sa.String(length=16), server_default="update", nullable=False)
        )

    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nationalities_enc", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("languages_enc", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_column("languages_enc")
        batch_op.drop_column("nationalities_enc")

    with op.batch_alter_table("case_history", schema=None) as batch_op:
        batch_op.drop_column("change")

    with op.batch_alter_table("investigation_detail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investigation_detail_case_id"))

    op.drop_table("investigation_detail")
    op.drop_table("placement")
    op.drop_table("migration_status")
    with op.batch_alter_table("identity_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identity_document_case_id"))

    op.drop_table("identity_document")
    with op.batch_alter_table("identification_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identification_event_case_id"))

    op.drop_table("identification_event")
    with op.batch_alter_table("identification_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_identification_decision_case_id"))

    op.drop_table("identification_decision")
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardian_case_id"))

    op.drop_table("guardian")
    with op.batch_alter_table("child_alias", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_alias_case_id"))

    op.drop_table("child_alias")
    with op.batch_alter_table("case_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_status_change_case_id"))

    op.drop_table("case_status_change")
    with op.batch_alter_table("case_flag", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_flag_case_id"))

    op.drop_table("case_flag")
    op.drop_table("age_assessment")
