"""Primary sources and their passages, and the verification of quotes and claims against them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLES = ("primary_sources", "passages", "verifications")


def upgrade() -> None:
    op.add_column("analyses", sa.Column("verified", sa.String(40)))
    op.create_table(
        "primary_sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("published", sa.String(40), nullable=False),
        sa.Column("day_first", sa.String(10), nullable=False),
        sa.Column("day_last", sa.String(10), nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("speakers", sa.Text, nullable=False),
        sa.Column("work", sa.String(300), nullable=False),
        sa.Column("origin", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_primary_sources_days", "primary_sources", ["day_first", "day_last"])
    op.create_index("ix_primary_sources_work", "primary_sources", ["work"])
    op.create_table(
        "passages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("primary_sources.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key", sa.String(300), nullable=False, unique=True),
        sa.Column("idx", sa.Integer, nullable=False),
        sa.Column("turn", sa.Integer, nullable=False),
        sa.Column("speaker", sa.Text),
        sa.Column("speaker_key", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.UniqueConstraint("source_id", "idx", name="uq_passages_source_idx"),
    )
    op.create_index("ix_passages_speaker_key", "passages", ["speaker_key"])
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("relation", sa.String(20), nullable=False),
        sa.Column("speaker", sa.Text),
        sa.Column("passage_key", sa.String(300)),
        sa.Column("source_key", sa.String(200)),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("item_kind", "item_id", name="uq_verifications_item"),
    )
    op.create_index("ix_verifications_document", "verifications", ["document_id"])
    op.create_index("ix_verifications_passage", "verifications", ["passage_key"])


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("verified")
