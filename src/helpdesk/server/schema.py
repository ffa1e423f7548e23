"""The access API's schema: numbered migrations for SQLite and PostgreSQL.

Applied by ``helpdesk.storage`` under its lock, recorded as component ``access``. A
SQLite file from before ``schema_migrations`` kept its version in ``user_version``;
that is adopted. Times are ISO-8601 text in UTC on both backends, so they compare as
text and one SQL text serves both.
"""

from __future__ import annotations

from helpdesk.storage import Migration

COMPONENT = "access"

_V1_SQLITE = """
    CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'receptionist')),
        permissions TEXT NOT NULL DEFAULT '[]',
        mfa_enabled INTEGER NOT NULL DEFAULT 0,
        mfa_suspended_until TEXT,
        pin_hash TEXT,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (workspace_id, email)
    );
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        platform TEXT NOT NULL,
        mode TEXT NOT NULL,
        client_version TEXT,
        status TEXT NOT NULL
            CHECK (status IN ('pending_activation', 'active', 'disabled')),
        user_id TEXT REFERENCES users(id),
        code_hash TEXT UNIQUE,
        code_expires_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX devices_workspace ON devices (workspace_id);
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        salt TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time TEXT NOT NULL,
        workspace_id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        subject TEXT,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER NOT NULL,
        ticket TEXT,
        reason TEXT,
        request_id TEXT NOT NULL,
        idempotency_key TEXT,
        before TEXT,
        after TEXT,
        detail TEXT
    );
    CREATE INDEX audit_workspace ON audit (workspace_id, id);
    -- The audit log is append-only below the API too.
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
    CREATE TABLE idempotency (
        workspace_id TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, key)
    );
    """

_V1_POSTGRESQL = """
    CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL
    );
    CREATE TABLE users (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'receptionist')),
        permissions TEXT NOT NULL DEFAULT '[]',
        mfa_enabled INTEGER NOT NULL DEFAULT 0,
        mfa_suspended_until TEXT,
        pin_hash TEXT,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL,
        UNIQUE (workspace_id, email)
    );
    CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        platform TEXT NOT NULL,
        mode TEXT NOT NULL,
        client_version TEXT,
        status TEXT NOT NULL
            CHECK (status IN ('pending_activation', 'active', 'disabled')),
        user_id TEXT REFERENCES users(id),
        code_hash TEXT UNIQUE,
        code_expires_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX devices_workspace ON devices (workspace_id);
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id),
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        salt TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE audit (
        id BIGSERIAL PRIMARY KEY,
        time TEXT NOT NULL,
        workspace_id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        subject TEXT,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        status INTEGER NOT NULL,
        ticket TEXT,
        reason TEXT,
        request_id TEXT NOT NULL,
        idempotency_key TEXT,
        before TEXT,
        after TEXT,
        detail TEXT
    );
    CREATE INDEX audit_workspace ON audit (workspace_id, id);
    -- The audit log is append-only below the API too (and by grants: migration 3).
    CREATE FUNCTION helpdesk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'audit is append-only'; END $$;
    CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
        FOR EACH ROW EXECUTE FUNCTION helpdesk_audit_append_only();
    CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
        FOR EACH STATEMENT EXECUTE FUNCTION helpdesk_audit_append_only();
    CREATE TABLE idempotency (
        workspace_id TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER NOT NULL,
        response TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, key)
    );
    """

_V3_SQLITE = """
    ALTER TABLE tokens ADD COLUMN expires_at TEXT;
    ALTER TABLE audit ADD COLUMN prev_hash TEXT;
    ALTER TABLE audit ADD COLUMN hash TEXT;
    CREATE TABLE audit_repeats (
        audit_id INTEGER PRIMARY KEY REFERENCES audit(id),
        workspace_id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        slug TEXT NOT NULL,
        count INTEGER NOT NULL,
        last_time TEXT NOT NULL
    );
    CREATE INDEX audit_repeats_key ON audit_repeats (token_id, action, subject, slug, last_time);
    CREATE TABLE rate_limits (
        token_id TEXT NOT NULL,
        class TEXT NOT NULL,
        tokens REAL NOT NULL,
        updated REAL NOT NULL,
        PRIMARY KEY (token_id, class)
    );
    CREATE INDEX users_email ON users (workspace_id, lower(email));
    -- INSERT OR REPLACE of an existing record deletes it without the delete trigger:
    -- an insert may only add a record after the last one.
    CREATE TRIGGER audit_insert_only BEFORE INSERT ON audit
        WHEN NEW.id > 0 AND NEW.id <= (SELECT coalesce(max(id), 0) FROM audit)
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
"""

_V3_POSTGRESQL = """
    ALTER TABLE tokens ADD COLUMN expires_at TEXT;
    ALTER TABLE audit ADD COLUMN prev_hash TEXT, ADD COLUMN hash TEXT;
    CREATE TABLE audit_repeats (
        -- No foreign key: checking one locks the audit row, which needs the UPDATE
        -- privilege that this role no longer has on audit.
        audit_id BIGINT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        token_id TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        slug TEXT NOT NULL,
        count BIGINT NOT NULL,
        last_time TEXT NOT NULL
    );
    CREATE INDEX audit_repeats_key ON audit_repeats (token_id, action, subject, slug, last_time);
    CREATE TABLE rate_limits (
        token_id TEXT NOT NULL,
        class TEXT NOT NULL,
        tokens DOUBLE PRECISION NOT NULL,
        updated DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (token_id, class)
    );
    CREATE INDEX users_email ON users (workspace_id, lower(email));
    -- The role that owns the tables (the one the server connects as) may only add
    -- audit records; the triggers of migration 1 refuse it to anyone else.
    REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM PUBLIC;
    REVOKE UPDATE, DELETE, TRUNCATE ON audit FROM CURRENT_USER;
"""

MIGRATIONS = (
    Migration(1, "domain and security tables", sqlite=_V1_SQLITE, postgresql=_V1_POSTGRESQL),
    Migration(
        2,
        "languages, time zones, transcript heads",
        sql="""
    ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en'
        CHECK (language IN ('en', 'it', 'es'));
    ALTER TABLE workspaces ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
    ALTER TABLE audit ADD COLUMN transcript_head TEXT;
    """,
    ),
    Migration(
        3,
        "audit chain and repeats, shared rate limits, token expiry",
        sqlite=_V3_SQLITE,
        postgresql=_V3_POSTGRESQL,
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
