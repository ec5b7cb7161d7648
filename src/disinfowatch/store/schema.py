"""The schema, in SQLAlchemy Core. Migrations in ``migrations/versions`` create exactly this."""

from __future__ import annotations

import sqlalchemy as sa

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

# Analysis (revision 0002): what the extraction stages found in each document.
analyses = sa.Table(
    "analyses", metadata,
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("countries", sa.Text, nullable=False),  # JSON list
    sa.Column("analyzed_at", sa.DateTime(timezone=True), nullable=False),
)

sentences = sa.Table(
    "sentences", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("language", sa.String(16)),
    sa.Column("language_score", sa.Float),
    sa.Column("paragraph", sa.Integer, nullable=False),
    sa.Column("checkworthiness", sa.Float),
    sa.UniqueConstraint("document_id", "idx", name="uq_sentences_document_idx"),
)

quotes = sa.Table(
    "quotes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("speaker", sa.Text),
    sa.Column("speaker_text", sa.Text),
    sa.Column("verb", sa.Text),
    sa.Column("attribution", sa.Text),
    sa.Column("form", sa.String(20), nullable=False),
    sa.Index("ix_quotes_document", "document_id"),
    sa.Index("ix_quotes_speaker", "speaker"),
)

claims = sa.Table(
    "claims", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("attributed_to", sa.Text),
    sa.Column("attributed_kind", sa.String(20), nullable=False),
    sa.Column("attribution", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("checkworthiness", sa.Float),
    sa.Index("ix_claims_document", "document_id"),
)

mentions = sa.Table(
    "mentions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("entity", sa.Text, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("start", sa.Integer, nullable=False),
    sa.Column("end", sa.Integer, nullable=False),
    sa.Column("surface", sa.Text, nullable=False),
    sa.Index("ix_mentions_document", "document_id"),
    sa.Index("ix_mentions_entity", "entity"),
)
