"""Initial schema: sources, pages, fetch state, documents with full-text search, appearances, rejections.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The tables as this revision creates them: frozen here, so later changes to schema.py need a new revision.
metadata = sa.MetaData()

sources = sa.Table(
    "sources", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("language", sa.String(16)),
    sa.Column("label", sa.Text),
    sa.Column("outlet", sa.Text),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("interval_minutes", sa.Integer, nullable=False, default=60),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

pages = sa.Table(
    "pages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("final_url", sa.Text),
    sa.Column("status", sa.Integer),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content_type", sa.Text),
    sa.Column("headers", sa.Text),
    sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("source", sa.Text),
    sa.UniqueConstraint("url", "sha256", name="uq_pages_url_sha256"),
)

fetch_state = sa.Table(
    "fetch_state", metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_status", sa.Integer),
    sa.Column("last_fetched_at", sa.DateTime(timezone=True)),
)

documents = sa.Table(
    "documents", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("canonical_url", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("published", sa.String(40)),
    sa.Column("site_name", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("language", sa.String(16)),
    sa.Column("language_score", sa.Float),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("raw_sha256", sa.String(64), nullable=False),
    sa.Column("paragraphs", sa.Text, nullable=False),
    sa.Column("offsets", sa.Text, nullable=False),
    sa.Column("minhash", sa.LargeBinary),
    sa.Column("fetched_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_documents_url", "url"),
    sa.Index("ix_documents_canonical_url", "canonical_url"),
    sa.Index("ix_documents_source_language", "source", "language"),
)

appearances = sa.Table(
    "appearances", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("source", sa.Text),
    sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("relation", sa.String(20), nullable=False),
    sa.Column("similarity", sa.Float, nullable=False, default=1.0),
    sa.UniqueConstraint("document_id", "url", name="uq_appearances_document_url"),
    sa.Index("ix_appearances_url", "url"),
)

rejections = sa.Table(
    "rejections", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("item", sa.Text, nullable=False),
    sa.Column("stage", sa.String(40), nullable=False),
    sa.Column("reason", sa.String(100), nullable=False),
    sa.Column("detail", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("item", "stage", "reason", name="uq_rejections_item_stage_reason"),
)

TABLES = ["sources", "pages", "fetch_state", "documents", "appearances", "rejections"]


def upgrade() -> None:
    bind = op.get_bind()
    for name in TABLES:
        metadata.tables[name].create(bind)
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE documents_fts USING fts5(title, text, content='documents', "
                   "content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
        op.execute("CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN "
                   "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END")
        op.execute("CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN "
                   "INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END")
        op.execute("CREATE TRIGGER documents_au AFTER UPDATE ON documents BEGIN "
                   "INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
                   "INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END")
    else:
        op.execute("ALTER TABLE documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
                   "(to_tsvector('simple', coalesce(title, '') || ' ' || text)) STORED")
        op.execute("CREATE INDEX ix_documents_tsv ON documents USING GIN (tsv)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS documents_fts")
    for name in reversed(TABLES):
        metadata.tables[name].drop(bind)
