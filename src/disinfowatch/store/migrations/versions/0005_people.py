"""People and trust: accounts, sessions, API tokens, login attempts, the audit trail, corrections.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TABLES = ("users", "sessions", "api_tokens", "login_attempts", "audit", "corrections")


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, default=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_attempts_username_at", "login_attempts", ["username", "at"])
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"])
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("object_kind", sa.String(20), nullable=False),
        sa.Column("object_id", sa.String(300), nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.Column("note", sa.Text),
    )
    op.create_index("ix_audit_object", "audit", ["object_kind", "object_id"])
    op.create_table(
        "corrections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("fields", sa.Text, nullable=False),
    )
    op.create_index("ix_corrections_case", "corrections", ["case_id"])
    # The review queue: the document's language, source and date copied into each alert, and
    # indexes for its order (confirm-level first: "confirm" sorts before "suggest", then score).
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("language", sa.String(16)))
        batch.add_column(sa.Column("source", sa.Text))
        batch.add_column(sa.Column("published", sa.String(40)))
    for column in ("language", "source", "published"):
        op.execute(f"UPDATE alerts SET {column} = (SELECT documents.{column} FROM documents "
                   "WHERE documents.id = alerts.document_id)")
    op.create_index("ix_alerts_queue", "alerts", ["status", "level", "score"])
    op.create_index("ix_alerts_target", "alerts", ["target", "status", "language", "level", "score"])
    op.create_index("ix_alerts_language", "alerts", ["language", "status", "level", "score"])


def downgrade() -> None:
    for index in ("ix_alerts_language", "ix_alerts_target", "ix_alerts_queue"):
        op.drop_index(index, "alerts")
    with op.batch_alter_table("alerts") as batch:
        for column in ("published", "source", "language"):
            batch.drop_column(column)
    for name in reversed(_TABLES):
        op.drop_table(name)
