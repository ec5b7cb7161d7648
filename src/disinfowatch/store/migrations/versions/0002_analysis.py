"""Analysis results: sentences, quotes, claims, mentions, and per-document analysis state.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    fk = lambda: sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)  # noqa: E731
    op.create_table(
        "analyses",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("countries", sa.Text, nullable=False),
        sa.Column("analyzed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sentences", sa.Column("id", sa.Integer, primary_key=True), fk(),
        sa.Column("idx", sa.Integer, nullable=False), sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False), sa.Column("language", sa.String(16)),
        sa.Column("language_score", sa.Float), sa.Column("paragraph", sa.Integer, nullable=False),
        sa.Column("checkworthiness", sa.Float),
        sa.UniqueConstraint("document_id", "idx", name="uq_sentences_document_idx"),
    )
    op.create_table(
        "quotes", sa.Column("id", sa.Integer, primary_key=True), fk(),
        sa.Column("text", sa.Text, nullable=False), sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False), sa.Column("speaker", sa.Text), sa.Column("speaker_text", sa.Text),
        sa.Column("verb", sa.Text), sa.Column("attribution", sa.Text), sa.Column("form", sa.String(20), nullable=False),
    )
    op.create_index("ix_quotes_document", "quotes", ["document_id"])
    op.create_index("ix_quotes_speaker", "quotes", ["speaker"])
    op.create_table(
        "claims", sa.Column("id", sa.Integer, primary_key=True), fk(),
        sa.Column("text", sa.Text, nullable=False), sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False), sa.Column("attributed_to", sa.Text),
        sa.Column("attributed_kind", sa.String(20), nullable=False), sa.Column("attribution", sa.Text, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False), sa.Column("checkworthiness", sa.Float),
    )
    op.create_index("ix_claims_document", "claims", ["document_id"])
    op.create_table(
        "mentions", sa.Column("id", sa.Integer, primary_key=True), fk(),
        sa.Column("entity", sa.Text, nullable=False), sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("start", sa.Integer, nullable=False), sa.Column("end", sa.Integer, nullable=False),
        sa.Column("surface", sa.Text, nullable=False),
    )
    op.create_index("ix_mentions_document", "mentions", ["document_id"])
    op.create_index("ix_mentions_entity", "mentions", ["entity"])


def downgrade() -> None:
    for name in ("mentions", "claims", "quotes", "sentences", "analyses"):
        op.drop_table(name)
