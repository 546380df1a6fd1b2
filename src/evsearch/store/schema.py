"""The SQLite schema and every SQL statement the index runs, by name.

Keeping all SQL here (txtai's ``statement.py`` habit) means a schema change is
one reviewable file, and ``SCHEMA_VERSION`` moves with it: an index whose
manifest carries another version is refused with a rebuild hint instead of
being read with the wrong column layout.
"""

from __future__ import annotations

SCHEMA_VERSION = 4  # 2: generations hold their derived structures and name their backends; 3: judgements.family;
# 4: paragraphs.within and paragraphs.duplicate_group (the indexer's placement facts), judgements.link

# porter: English stemming, so "carers" finds "carer" and "assessed" finds "assessment" (both
# "assess"); unicode61 remove_diacritics 2: case and accent folding, combining marks included,
# so "cafe" matches "café".
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"

DDL = f"""
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE reports (
    report_id        TEXT PRIMARY KEY,
    path             TEXT NOT NULL,
    title            TEXT,
    local_authority  TEXT,
    inspection_start TEXT,
    inspection_end   TEXT,
    published        TEXT,
    lead_inspector   TEXT,
    framework        TEXT NOT NULL DEFAULT 'unknown',
    inspection_year  INTEGER,
    published_year   INTEGER,
    content_hash     TEXT NOT NULL,
    mtime            REAL,
    size             INTEGER,
    indexed_at       TEXT NOT NULL
);
CREATE TABLE judgements (
    judgement_id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id    TEXT NOT NULL REFERENCES reports(report_id),
    seq          INTEGER NOT NULL,
    part         TEXT,
    title        TEXT NOT NULL,
    grade        INTEGER,
    grade_label  TEXT,
    section      TEXT,
    family       TEXT,
    link         TEXT
);
CREATE TABLE paragraphs (
    id           INTEGER PRIMARY KEY,
    report_id    TEXT NOT NULL REFERENCES reports(report_id),
    seq          INTEGER NOT NULL,
    number       INTEGER,
    kind         TEXT NOT NULL,
    text         TEXT NOT NULL,
    part         TEXT,
    section      TEXT,
    section_path TEXT NOT NULL DEFAULT '[]',
    grade        INTEGER,
    grade_label  TEXT,
    page         INTEGER,
    timeframe    TEXT,
    within       INTEGER,
    duplicate_group INTEGER,
    UNIQUE (report_id, seq)
);
CREATE INDEX reports_local_authority ON reports (local_authority COLLATE NOCASE);
CREATE INDEX reports_inspection_year ON reports (inspection_year);
CREATE INDEX reports_published_year ON reports (published_year);
CREATE INDEX judgements_report ON judgements (report_id);
CREATE INDEX judgements_grade ON judgements (grade);
CREATE INDEX paragraphs_number ON paragraphs (report_id, number);
CREATE INDEX paragraphs_grade ON paragraphs (grade);
CREATE INDEX paragraphs_kind ON paragraphs (kind);
CREATE INDEX paragraphs_part ON paragraphs (part COLLATE NOCASE);
CREATE VIRTUAL TABLE paragraphs_fts USING fts5 (
    text, content='paragraphs', content_rowid='id', tokenize='{FTS_TOKENIZER}'
);
CREATE TRIGGER paragraphs_ai AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER paragraphs_ad AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER paragraphs_au AFTER UPDATE OF text ON paragraphs BEGIN
    INSERT INTO paragraphs_fts (paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO paragraphs_fts (rowid, text) VALUES (new.id, new.text);
END;
"""

REPORT_COLUMNS = (
    "report_id, path, title, local_authority, inspection_start, inspection_end, published, "
    "lead_inspector, framework, inspection_year, published_year, content_hash, mtime, size, indexed_at"
)
PARAGRAPH_COLUMNS = (
    "id, report_id, seq, number, kind, text, part, section, section_path, grade, grade_label, page, timeframe, "
    "within, duplicate_group"
)
JUDGEMENT_COLUMNS = "judgement_id, report_id, seq, part, title, grade, grade_label, section, family, link"

# A JSON array parameter expanded by json_each: one bound value for any number of ids.
_IDS = "(SELECT value FROM json_each(?))"

STATEMENTS: dict[str, str] = {
    # -- meta
    "meta_get": "SELECT value FROM meta WHERE key = ?",
    "meta_set": "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    # -- writes
    "report_insert": f"INSERT INTO reports ({REPORT_COLUMNS}) VALUES ({', '.join('?' * 15)})",
    "report_set_path": "UPDATE reports SET path = ? WHERE report_id = ?",
    "report_delete": "DELETE FROM reports WHERE report_id = ?",
    "judgements_delete": "DELETE FROM judgements WHERE report_id = ?",
    "judgement_insert": (
        "INSERT INTO judgements (report_id, seq, part, title, grade, grade_label, section, family, link) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    ),
    "paragraph_ids_of_report": "SELECT id FROM paragraphs WHERE report_id = ? ORDER BY id",
    "paragraphs_delete": "DELETE FROM paragraphs WHERE report_id = ?",
    "paragraph_insert": f"INSERT INTO paragraphs ({PARAGRAPH_COLUMNS}) VALUES ({', '.join('?' * 15)})",
    "fts_optimize": "INSERT INTO paragraphs_fts (paragraphs_fts) VALUES ('optimize')",
    "fts_integrity": "INSERT INTO paragraphs_fts (paragraphs_fts, rank) VALUES ('integrity-check', 1)",
    # -- build bookkeeping
    "report_hashes": "SELECT report_id, content_hash FROM reports",
    "report_paths": "SELECT report_id, path FROM reports",
    "max_paragraph_id": "SELECT coalesce(max(id), -1) FROM paragraphs",
    "freelist_ratio": "SELECT CAST(f.freelist_count AS REAL) / max(p.page_count, 1) "
    "FROM pragma_freelist_count() AS f, pragma_page_count() AS p",
    # -- counts
    "count_reports": "SELECT count(*) FROM reports",
    "count_paragraphs": "SELECT count(*) FROM paragraphs",
    "count_judgements": "SELECT count(*) FROM judgements",
    "count_fts_docs": "SELECT count(*) FROM paragraphs_fts_docsize",
    "all_paragraph_ids": "SELECT id FROM paragraphs ORDER BY id",
    "paragraph_texts_of_kinds": f"SELECT text FROM paragraphs WHERE kind IN {_IDS} ORDER BY id",
    # -- reads
    "paragraphs_by_ids": f"SELECT {PARAGRAPH_COLUMNS} FROM paragraphs WHERE id IN {_IDS}",
    "paragraph_by_number": (
        f"SELECT {PARAGRAPH_COLUMNS} FROM paragraphs WHERE report_id = ? AND number = ? ORDER BY seq LIMIT 1"
    ),
    "report_by_id": f"SELECT {REPORT_COLUMNS} FROM reports WHERE report_id = ?",
    "judgements_of_report": f"SELECT {JUDGEMENT_COLUMNS} FROM judgements WHERE report_id = ? ORDER BY seq",
    "judgement_by_id": f"SELECT {JUDGEMENT_COLUMNS} FROM judgements WHERE judgement_id = ?",
    "bm25": (
        "SELECT rowid, -bm25(paragraphs_fts) AS score FROM paragraphs_fts "
        "WHERE paragraphs_fts MATCH ? ORDER BY bm25(paragraphs_fts) LIMIT ?"
    ),
    "bm25_within": (
        "SELECT rowid, -bm25(paragraphs_fts) AS score FROM paragraphs_fts "
        f"WHERE paragraphs_fts MATCH ? AND rowid IN {_IDS} ORDER BY bm25(paragraphs_fts) LIMIT ?"
    ),
    # -- vocabulary
    "vocab_local_authorities": "SELECT DISTINCT local_authority FROM reports WHERE local_authority IS NOT NULL "
    "ORDER BY local_authority",
    "vocab_years": "SELECT inspection_year FROM reports WHERE inspection_year IS NOT NULL UNION "
    "SELECT published_year FROM reports WHERE published_year IS NOT NULL ORDER BY 1",
    "vocab_sections": "SELECT DISTINCT section FROM paragraphs WHERE section IS NOT NULL UNION "
    "SELECT DISTINCT j.value FROM paragraphs AS p, json_each(p.section_path) AS j ORDER BY 1",
    "vocab_parts": "SELECT DISTINCT part FROM paragraphs WHERE part IS NOT NULL UNION "
    "SELECT DISTINCT part FROM judgements WHERE part IS NOT NULL ORDER BY 1",
    "vocab_judgement_titles": "SELECT DISTINCT title FROM judgements ORDER BY title",
    "vocab_frameworks": "SELECT DISTINCT framework FROM reports ORDER BY framework",
    "vocab_kinds": "SELECT DISTINCT kind FROM paragraphs ORDER BY kind",
}

# Filter fragments combined with AND; each uses one named parameter (a JSON array or a scalar),
# so fragments never clash over positional numbering.
PARAGRAPH_FILTERS: dict[str, str] = {
    "grades": "p.grade IN (SELECT value FROM json_each(:grades))",
    "report_ids": "p.report_id IN (SELECT value FROM json_each(:report_ids))",
    "kinds": "p.kind IN (SELECT value FROM json_each(:kinds))",
    "parts": (
        "EXISTS (SELECT 1 FROM json_each(:parts) AS w "
        "WHERE instr(lower(coalesce(p.part, '')), lower(w.value)) > 0)"
    ),
    "sections": (
        "EXISTS (SELECT 1 FROM json_each(:sections) AS w "
        "WHERE instr(lower(coalesce(p.section, '')), lower(w.value)) > 0 "
        "OR EXISTS (SELECT 1 FROM json_each(p.section_path) AS s WHERE instr(lower(s.value), lower(w.value)) > 0))"
    ),
    "local_authorities": (
        "p.report_id IN (SELECT report_id FROM reports WHERE lower(local_authority) IN "
        "(SELECT lower(value) FROM json_each(:local_authorities)))"
    ),
    "years": (
        "p.report_id IN (SELECT report_id FROM reports "
        "WHERE inspection_year IN (SELECT value FROM json_each(:years)) "
        "OR published_year IN (SELECT value FROM json_each(:years)))"
    ),
}
PARAGRAPH_IDS_WHERE = "SELECT p.id FROM paragraphs AS p WHERE {where} ORDER BY p.id"

REPORT_FILTERS: dict[str, str] = {
    "local_authority": "lower(local_authority) = lower(:local_authority)",
    "year": "(inspection_year = :year OR published_year = :year)",
    "framework": "framework = :framework",
}
REPORTS_WHERE = f"SELECT {REPORT_COLUMNS} FROM reports WHERE {{where}} ORDER BY report_id"

JUDGEMENT_FILTERS: dict[str, str] = {
    "grade": "j.grade = :grade",
    "title": "instr(lower(j.title), lower(:title)) > 0",
    "local_authority": (
        "j.report_id IN (SELECT report_id FROM reports WHERE lower(local_authority) = lower(:local_authority))"
    ),
    "report_id": "j.report_id = :report_id",
}
JUDGEMENTS_WHERE = (
    "SELECT j.judgement_id, j.report_id, j.seq, j.part, j.title, j.grade, j.grade_label, j.section, j.family, j.link "
    "FROM judgements AS j WHERE {where} ORDER BY j.report_id, j.seq"
)


def compose(template: str, fragments: dict[str, str], names: list[str]) -> str:
    """Fill ``template``'s {where} with the named fragments (all of them fixed text, never user input)."""
    where = " AND ".join(fragments[name] for name in names) or "1"
    return template.format(where=where)


# -- the write journal (store/journal.py): its own small database beside the index, never inside a
# generation, so accepted uploads and their jobs outlive generations and server restarts.
JOURNAL_DDL = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id   TEXT PRIMARY KEY,
    kind     TEXT NOT NULL,
    state    TEXT NOT NULL,          -- queued, running, done, failed
    created  REAL NOT NULL,
    finished REAL,
    payload  TEXT NOT NULL,          -- JSON: what re-runs the job after a restart
    result   TEXT,                   -- JSON, when done
    error    TEXT                    -- JSON error shape (public text), when failed
);
CREATE INDEX IF NOT EXISTS jobs_unfinished ON jobs (state, created);
"""

JOURNAL_STATEMENTS: dict[str, str] = {
    "job_insert": "INSERT INTO jobs (job_id, kind, state, created, payload) VALUES (?, ?, 'queued', ?, ?)",
    "job_get": "SELECT job_id, kind, state, created, finished, payload, result, error FROM jobs WHERE job_id = ?",
    "job_running": "UPDATE jobs SET state = 'running' WHERE job_id = ?",
    "job_done": "UPDATE jobs SET state = 'done', finished = ?, result = ? WHERE job_id = ?",
    "job_failed": "UPDATE jobs SET state = 'failed', finished = ?, error = ? WHERE job_id = ?",
    "jobs_unfinished": (
        "SELECT job_id, kind, state, created, finished, payload, result, error FROM jobs "
        "WHERE state IN ('queued', 'running') ORDER BY created, rowid"
    ),
    "jobs_prune": (
        "DELETE FROM jobs WHERE finished IS NOT NULL AND job_id NOT IN "
        "(SELECT job_id FROM jobs WHERE finished IS NOT NULL ORDER BY finished DESC LIMIT ?)"
    ),
}
