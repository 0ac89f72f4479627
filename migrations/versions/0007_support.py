"""support: referrals, support measures, the child's views, non-punishment, new-case notice

Revision ID: 0007_support
Revises: 0005_accounts
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_support"
down_revision: str | None = "0006_domain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "child_views",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("heard_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("language_enc", sa.LargeBinary(), nullable=False),
        sa.Column("informed_format_enc", sa.LargeBinary(), nullable=False),
        sa.Column("views_enc", sa.LargeBinary(), nullable=False),
        sa.Column("perceives_benefit_enc", sa.LargeBinary(), nullable=False),
        sa.Column("engagement_enc", sa.LargeBinary(), nullable=True),
        sa.Column("trusted_adult_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_child_views_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_views")),
    )
    with op.batch_alter_table("child_views", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_views_case_id"), ["case_id"], unique=False)

    op.create_table(
        "non_punishment",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_by_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_without_assessment", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("offence_enc", sa.LargeBinary(), nullable=False),
        sa.Column("stage_enc", sa.LargeBinary(), nullable=False),
        sa.Column("link_enc", sa.LargeBinary(), nullable=False),
        sa.Column("rationale_enc", sa.LargeBinary(), nullable=False),
        sa.Column("assessor_enc", sa.LargeBinary(), nullable=True),
        sa.Column("decision_maker_enc", sa.LargeBinary(), nullable=True),
        sa.Column("outcome_enc", sa.LargeBinary(), nullable=True),
        sa.Column("departure_reasons_enc", sa.LargeBinary(), nullable=True),
        sa.Column("override_reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("clear_record_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_non_punishment_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_non_punishment_created_by_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_non_punishment")),
    )
    with op.batch_alter_table("non_punishment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_non_punishment_case_id"), ["case_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("from_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("to_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("consent", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("reason_enc", sa.LargeBinary(), nullable=False),
        sa.Column("decision_reason_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_referral_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["from_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_referral_from_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["to_organisation_id"],
            ["organisation.id"],
            name=op.f("fk_referral_to_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral")),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_referral_to_organisation_id"), ["to_organisation_id"], unique=False
        )

    op.create_table(
        "support_measure",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("measure_type", sa.String(length=32), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("review_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("details_enc", sa.LargeBinary(), nullable=True),
        sa.Column("clinical_notes_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_support_measure_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["organisation.id"],
            name=op.f("fk_support_measure_provider_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_support_measure")),
    )
    with op.batch_alter_table("support_measure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_support_measure_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_support_measure_review_on"), ["review_on"], unique=False
        )

    op.create_table(
        "measure_response",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("views_id", sa.Uuid(), nullable=False),
        sa.Column("measure_id", sa.Uuid(), nullable=False),
        sa.Column("reoffer_on", sa.Date(), nullable=True),
        sa.Column("acceptance_enc", sa.LargeBinary(), nullable=False),
        sa.Column("reasons_enc", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["measure_id"],
            ["support_measure.id"],
            name=op.f("fk_measure_response_measure_id_support_measure"),
        ),
        sa.ForeignKeyConstraint(
            ["views_id"], ["child_views.id"], name=op.f("fk_measure_response_views_id_child_views")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_measure_response_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measure_response")),
    )
    with op.batch_alter_table("measure_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measure_response_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_measure_response_measure_id"), ["measure_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_measure_response_views_id"), ["views_id"], unique=False
        )

    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seen_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("team_membership", schema=None) as batch_op:
        batch_op.drop_column("seen_at")

    with op.batch_alter_table("measure_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measure_response_case_id"))
        batch_op.drop_index(batch_op.f("ix_measure_response_views_id"))
        batch_op.drop_index(batch_op.f("ix_measure_response_measure_id"))

    op.drop_table("measure_response")
    with op.batch_alter_table("support_measure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_support_measure_review_on"))
        batch_op.drop_index(batch_op.f("ix_support_measure_case_id"))

    op.drop_table("support_measure")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referral_to_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_referral_case_id"))

    op.drop_table("referral")
    with op.batch_alter_table("non_punishment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_non_punishment_case_id"))

    op.drop_table("non_punishment")
    with op.batch_alter_table("child_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_views_case_id"))

    op.drop_table("child_views")
