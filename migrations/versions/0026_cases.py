"""One room for cases (``office_case``): fault reports and letters to the office become kinds of
one case (single-table inheritance on ``kind``), with one table of events (``case_event``), one
of files (``case_attachment``) and one of followers (``case_follower``, new: the filer, and the
filers of duplicates merged into a case).

Nothing is lost: fault reports keep their ids (addresses in sent e-mails still work), their
photos keep theirs; a letter gets a new id above every report's (its old one is kept in
``legacy_id``, and ``/sprawy/<old id>`` answers with a permanent redirect), its entries and
attachments are renumbered above the reports' the same way. Every registry number, event and
file is carried over; ``registry_counter`` does not change, so ``AW`` and ``KO`` go on counting.
A letter's entries take the room's words: ``letter`` → ``created``, ``answer`` → ``reply``,
``follow_up`` → ``comment``. A photo the old code kept without its event (none should exist)
goes with the report's first event.

Rows are copied cooperative by cooperative, so row-level security lets a migration role that is
not a superuser read and write them. The downgrade copies everything back (letters with their
old ids; events and files keep their new, unique ids; followers are derived data and go), and
refuses when a kind of case the old tables cannot hold exists.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-07 07:11:10.445344

"""
import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls
from iok_saas.registers import label

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

NEW = ("office_case", "case_event", "case_follower", "case_attachment")
OLD = ("fault_report", "fault_event", "fault_photo", "correspondence_case",
       "correspondence_entry", "correspondence_attachment")
CASE = ("id, tenant_id, kind, register, year, number, submission, filed_by_id, category, "
        "subject, building_id, unit_id, status, status_at, assigned_to_id, planned_on, "
        "first_answer_at, closed_at, close_reason, merged_into_id, moved_to_id, legacy_id, "
        "created_at, updated_at")
FAULT = "place, description, entry_allowed, contact_phone, contact_note, confirmed_at"
EVENT = "id, tenant_id, case_id, kind, status, body, author_id, author_label, by_staff, at"
FILE = "id, tenant_id, case_id, event_id, file_id, filename, content_type, size"

UP = [
    f"INSERT INTO office_case ({CASE}, {FAULT}) "
    "SELECT id, tenant_id, 'fault', 'AW', year, number, submission, reporter_id, category, '', "
    "building_id, unit_id, status, status_at, assigned_to_id, planned_on, NULL, closed_at, '', "
    "merged_into_id, NULL, NULL, created_at, updated_at, "
    f"{FAULT} FROM fault_report WHERE tenant_id = :t",
    f"INSERT INTO office_case ({CASE}) "
    "SELECT c.id + :cases, c.tenant_id, 'letter', 'KO', c.year, c.number, c.submission, "
    "c.author_id, c.topic, c.subject, u.building_id, c.unit_id, c.status, c.status_at, "
    "c.assigned_to_id, NULL, c.first_answer_at, c.closed_at, c.close_reason, NULL, "
    "c.fault_report_id, c.id, c.created_at, c.updated_at FROM correspondence_case c "
    "LEFT JOIN unit u ON u.tenant_id = c.tenant_id AND u.id = c.unit_id WHERE c.tenant_id = :t",
    f"INSERT INTO case_event ({EVENT}) SELECT id, tenant_id, report_id, kind, status, body, "
    "author_id, author_label, by_staff, at FROM fault_event WHERE tenant_id = :t",
    f"INSERT INTO case_event ({EVENT}) SELECT id + :events, tenant_id, case_id + :cases, "
    "CASE kind WHEN 'letter' THEN 'created' WHEN 'answer' THEN 'reply' "
    "WHEN 'follow_up' THEN 'comment' ELSE kind END, status, body, author_id, author_label, "
    "by_staff, at FROM correspondence_entry WHERE tenant_id = :t",
    f"INSERT INTO case_attachment ({FILE}) SELECT p.id, p.tenant_id, p.report_id, "
    "COALESCE(p.event_id, (SELECT min(e.id) FROM fault_event e WHERE e.tenant_id = p.tenant_id "
    "AND e.report_id = p.report_id)), p.file_id, substr(s.filename, 1, 160), 'image/jpeg', "
    "s.size FROM fault_photo p JOIN stored_file s ON s.tenant_id = p.tenant_id "
    "AND s.id = p.file_id WHERE p.tenant_id = :t",
    f"INSERT INTO case_attachment ({FILE}) SELECT id + :files, tenant_id, case_id + :cases, "
    "entry_id + :events, file_id, filename, content_type, size FROM correspondence_attachment "
    "WHERE tenant_id = :t",
    "INSERT INTO case_follower (tenant_id, case_id, user_id, since) "
    "SELECT tenant_id, id, filed_by_id, created_at FROM office_case WHERE tenant_id = :t",
    "INSERT INTO case_follower (tenant_id, case_id, user_id, since) "
    "SELECT m.tenant_id, m.merged_into_id, m.filed_by_id, min(m.status_at) FROM office_case m "
    "WHERE m.tenant_id = :t AND m.merged_into_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
    "office_case o WHERE o.tenant_id = m.tenant_id AND o.id = m.merged_into_id "
    "AND o.filed_by_id = m.filed_by_id) GROUP BY m.tenant_id, m.merged_into_id, m.filed_by_id",
]

OLD_ID = "COALESCE(o.legacy_id, o.id)"
DOWN = [
    "INSERT INTO fault_report (id, tenant_id, year, number, submission, reporter_id, category, "
    "building_id, unit_id, place, description, entry_allowed, contact_phone, contact_note, "
    "status, status_at, assigned_to_id, planned_on, closed_at, confirmed_at, merged_into_id, "
    "created_at, updated_at) SELECT id, tenant_id, year, number, submission, filed_by_id, "
    "category, building_id, unit_id, COALESCE(place, ''), COALESCE(description, ''), "
    "COALESCE(entry_allowed, false), COALESCE(contact_phone, ''), COALESCE(contact_note, ''), "
    "status, status_at, assigned_to_id, planned_on, closed_at, confirmed_at, merged_into_id, "
    "created_at, updated_at FROM office_case WHERE tenant_id = :t AND kind = 'fault'",
    "INSERT INTO correspondence_case (id, tenant_id, year, number, submission, author_id, "
    "topic, unit_id, subject, status, status_at, assigned_to_id, first_answer_at, closed_at, "
    "close_reason, fault_report_id, fault_number, created_at, updated_at) "
    f"SELECT {OLD_ID}, o.tenant_id, o.year, o.number, o.submission, o.filed_by_id, o.category, "
    "o.unit_id, o.subject, o.status, o.status_at, o.assigned_to_id, o.first_answer_at, "
    "o.closed_at, o.close_reason, o.moved_to_id, '', o.created_at, o.updated_at "
    "FROM office_case o WHERE o.tenant_id = :t AND o.kind = 'letter'",
    "INSERT INTO fault_event (id, tenant_id, report_id, kind, status, body, author_id, "
    "author_label, by_staff, at) SELECT e.id, e.tenant_id, e.case_id, e.kind, e.status, e.body, "
    "e.author_id, e.author_label, e.by_staff, e.at FROM case_event e JOIN office_case o "
    "ON o.tenant_id = e.tenant_id AND o.id = e.case_id WHERE e.tenant_id = :t "
    "AND o.kind = 'fault'",
    "INSERT INTO correspondence_entry (id, tenant_id, case_id, kind, status, body, author_id, "
    f"author_label, by_staff, at) SELECT e.id, e.tenant_id, {OLD_ID}, "
    "CASE e.kind WHEN 'created' THEN 'letter' WHEN 'reply' THEN 'answer' "
    "WHEN 'comment' THEN 'follow_up' ELSE e.kind END, e.status, e.body, e.author_id, "
    "e.author_label, e.by_staff, e.at FROM case_event e JOIN office_case o "
    "ON o.tenant_id = e.tenant_id AND o.id = e.case_id WHERE e.tenant_id = :t "
    "AND o.kind = 'letter'",
    "INSERT INTO fault_photo (id, tenant_id, report_id, event_id, file_id) "
    "SELECT a.id, a.tenant_id, a.case_id, a.event_id, a.file_id FROM case_attachment a "
    "JOIN office_case o ON o.tenant_id = a.tenant_id AND o.id = a.case_id "
    "WHERE a.tenant_id = :t AND o.kind = 'fault'",
    "INSERT INTO correspondence_attachment (id, tenant_id, case_id, entry_id, file_id, "
    f"filename, content_type, size) SELECT a.id, a.tenant_id, {OLD_ID}, a.event_id, a.file_id, "
    "a.filename, a.content_type, a.size FROM case_attachment a JOIN office_case o "
    "ON o.tenant_id = a.tenant_id AND o.id = a.case_id WHERE a.tenant_id = :t "
    "AND o.kind = 'letter'",
]


def _tenants(bind):
    """Each cooperative's id, with row-level security set to it (PostgreSQL)."""
    for tenant_id in bind.execute(sa.text("SELECT id FROM tenant ORDER BY id")).scalars().all():
        if bind.dialect.name == "postgresql":
            bind.execute(sa.text("SELECT set_config('app.tenant_id', :t, true)"),
                         {"t": str(tenant_id)})
        yield tenant_id
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT set_config('app.tenant_id', '', true)"))


def _highest(bind, tables):
    """The highest id in each table, over every cooperative."""
    found = dict.fromkeys(tables, 0)
    for tenant_id in _tenants(bind):
        for table in tables:
            found[table] = max(found[table], bind.execute(sa.text(
                f"SELECT COALESCE(max(id), 0) FROM {table} WHERE tenant_id = :t"),
                {"t": tenant_id}).scalar())
    return found


def _restart(bind, highest):
    """Sequences after the copied ids (PostgreSQL; SQLite goes on from the highest itself)."""
    if bind.dialect.name != "postgresql":
        return
    for table, value in highest.items():
        bind.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             ":v, :called)"), {"v": max(value, 1), "called": value > 0})


def upgrade():
    bind = op.get_bind()
    _create_new()
    old = _highest(bind, ("fault_report", "fault_event", "fault_photo", "correspondence_case",
                          "correspondence_entry", "correspondence_attachment"))
    offsets = {"cases": old["fault_report"], "events": old["fault_event"],
               "files": old["fault_photo"]}
    for tenant_id in _tenants(bind):
        for statement in UP:
            bind.execute(sa.text(statement), {"t": tenant_id, **offsets})
    _restart(bind, {
        "office_case": max(old["fault_report"], offsets["cases"] + old["correspondence_case"]),
        "case_event": max(old["fault_event"], offsets["events"] + old["correspondence_entry"]),
        "case_attachment": max(old["fault_photo"],
                               offsets["files"] + old["correspondence_attachment"]),
        "case_follower": 0 if bind.dialect.name != "postgresql" else _highest(
            bind, ("case_follower",))["case_follower"],
    })
    _drop_old()
    for table in NEW:
        rls.enable(op, table)


def downgrade():
    bind = op.get_bind()
    for tenant_id in _tenants(bind):
        other = bind.execute(sa.text(
            "SELECT DISTINCT kind FROM office_case WHERE tenant_id = :t "
            "AND kind NOT IN ('fault', 'letter')"), {"t": tenant_id}).scalars().all()
        if other:
            raise RuntimeError(f"Cases of kinds {sorted(other)} exist in cooperative "
                               f"{tenant_id}: revision 0025 cannot hold them.")
    _create_old()
    for tenant_id in _tenants(bind):
        for statement in DOWN:
            bind.execute(sa.text(statement), {"t": tenant_id})
        moved = bind.execute(sa.text(
            "SELECT c.id, f.year, f.number FROM correspondence_case c JOIN fault_report f "
            "ON f.tenant_id = c.tenant_id AND f.id = c.fault_report_id WHERE c.tenant_id = :t"),
            {"t": tenant_id}).all()
        for case_id, year, number in moved:
            bind.execute(sa.text("UPDATE correspondence_case SET fault_number = :n "
                                 "WHERE tenant_id = :t AND id = :c"),
                         {"n": label("AW", year, number), "t": tenant_id, "c": case_id})
    _restart(bind, _highest(bind, OLD))
    _drop_new()
    for table in OLD:
        rls.enable(op, table)


def _create_new():
    op.create_table('office_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('register', sa.String(length=8), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submission', sa.String(length=36), nullable=False),
    sa.Column('filed_by_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=200), server_default='', nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('first_answer_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('moved_to_id', sa.Integer(), nullable=True),
    sa.Column('legacy_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.String(length=120), server_default='', nullable=True),
    sa.Column('description', sa.Text(), server_default='', nullable=True),
    sa.Column('entry_allowed', sa.Boolean(), server_default=sa.false(), nullable=True),
    sa.Column('contact_phone', sa.String(length=20), server_default='', nullable=True),
    sa.Column('contact_note', sa.String(length=200), server_default='', nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'assigned_to_id'], ['user_account.tenant_id', 'user_account.id'], name='fk_office_case_assigned_to'),
    sa.ForeignKeyConstraint(['tenant_id', 'building_id'], ['building.tenant_id', 'building.id'], name=op.f('fk_office_case_tenant_id_building')),
    sa.ForeignKeyConstraint(['tenant_id', 'filed_by_id'], ['user_account.tenant_id', 'user_account.id'], name='fk_office_case_filed_by'),
    sa.ForeignKeyConstraint(['tenant_id', 'merged_into_id'], ['office_case.tenant_id', 'office_case.id'], name='fk_office_case_merged_into'),
    sa.ForeignKeyConstraint(['tenant_id', 'moved_to_id'], ['office_case.tenant_id', 'office_case.id'], name='fk_office_case_moved_to'),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_office_case_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_office_case_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office_case')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_office_case_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'kind', 'filed_by_id', 'submission', name=op.f('uq_office_case_tenant_id_kind_filed_by_id_submission')),
    sa.UniqueConstraint('tenant_id', 'kind', 'legacy_id', name=op.f('uq_office_case_tenant_id_kind_legacy_id')),
    sa.UniqueConstraint('tenant_id', 'register', 'year', 'number', name=op.f('uq_office_case_tenant_id_register_year_number'))
    )
    with op.batch_alter_table('office_case', schema=None) as batch_op:
        batch_op.create_index('ix_office_case_tenant_building', ['tenant_id', 'kind', 'building_id', 'status'], unique=False)
        batch_op.create_index('ix_office_case_tenant_filer', ['tenant_id', 'filed_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_office_case_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_office_case_tenant_merged', ['tenant_id', 'merged_into_id'], unique=False)
        batch_op.create_index('ix_office_case_tenant_queue', ['tenant_id', 'kind', 'status', 'created_at'], unique=False)

    op.create_table('case_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=True),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=160), server_default='', nullable=False),
    sa.Column('by_staff', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'case_id'], ['office_case.tenant_id', 'office_case.id'], name=op.f('fk_case_event_tenant_id_office_case')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_case_event_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_event')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_case_event_tenant_id_id'))
    )
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.create_index('ix_case_event_tenant_case', ['tenant_id', 'case_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_event_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('case_follower',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'case_id'], ['office_case.tenant_id', 'office_case.id'], name=op.f('fk_case_follower_tenant_id_office_case')),
    sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_case_follower_tenant_id_user_account')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_case_follower_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_follower')),
    sa.UniqueConstraint('tenant_id', 'case_id', 'user_id', name=op.f('uq_case_follower_tenant_id_case_id_user_id'))
    )
    with op.batch_alter_table('case_follower', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_follower_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_case_follower_tenant_user', ['tenant_id', 'user_id'], unique=False)

    op.create_table('case_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'case_id'], ['office_case.tenant_id', 'office_case.id'], name=op.f('fk_case_attachment_tenant_id_office_case')),
    sa.ForeignKeyConstraint(['tenant_id', 'event_id'], ['case_event.tenant_id', 'case_event.id'], name=op.f('fk_case_attachment_tenant_id_case_event')),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_case_attachment_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_case_attachment_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_attachment'))
    )
    with op.batch_alter_table('case_attachment', schema=None) as batch_op:
        batch_op.create_index('ix_case_attachment_tenant_case', ['tenant_id', 'case_id'], unique=False)
        batch_op.create_index('ix_case_attachment_tenant_event', ['tenant_id', 'event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_attachment_tenant_id'), ['tenant_id'], unique=False)


def _drop_old():
    with op.batch_alter_table('fault_photo', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fault_photo_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_fault_photo_tenant_report'))

    op.drop_table('fault_photo')
    with op.batch_alter_table('correspondence_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correspondence_attachment_tenant_case'))
        batch_op.drop_index(batch_op.f('ix_correspondence_attachment_tenant_id'))

    op.drop_table('correspondence_attachment')
    with op.batch_alter_table('fault_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fault_event_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_fault_event_tenant_report'))

    op.drop_table('fault_event')
    with op.batch_alter_table('correspondence_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correspondence_entry_tenant_case'))
        batch_op.drop_index(batch_op.f('ix_correspondence_entry_tenant_id'))

    op.drop_table('correspondence_entry')
    with op.batch_alter_table('correspondence_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_correspondence_case_tenant_author'))
        batch_op.drop_index(batch_op.f('ix_correspondence_case_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_correspondence_case_tenant_status'))

    op.drop_table('correspondence_case')
    with op.batch_alter_table('fault_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fault_report_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_fault_report_tenant_merged'))
        batch_op.drop_index(batch_op.f('ix_fault_report_tenant_reporter'))
        batch_op.drop_index(batch_op.f('ix_fault_report_tenant_status'))

    op.drop_table('fault_report')


def _create_old():
    op.create_table('fault_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submission', sa.String(length=36), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('place', sa.String(length=120), server_default='', nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('entry_allowed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), server_default='', nullable=False),
    sa.Column('contact_note', sa.String(length=200), server_default='', nullable=False),
    sa.Column('status', sa.String(length=12), server_default=sa.text("'received'"), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('planned_on', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'assigned_to_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_fault_report_assigned_to')),
    sa.ForeignKeyConstraint(['tenant_id', 'building_id'], ['building.tenant_id', 'building.id'], name=op.f('fk_fault_report_tenant_id_building')),
    sa.ForeignKeyConstraint(['tenant_id', 'merged_into_id'], ['fault_report.tenant_id', 'fault_report.id'], name=op.f('fk_fault_report_tenant_id_fault_report')),
    sa.ForeignKeyConstraint(['tenant_id', 'reporter_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_fault_report_reporter')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_fault_report_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fault_report_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_report')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_fault_report_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'reporter_id', 'submission', name=op.f('uq_fault_report_tenant_id_reporter_id_submission')),
    sa.UniqueConstraint('tenant_id', 'year', 'number', name=op.f('uq_fault_report_tenant_id_year_number'))
    )
    with op.batch_alter_table('fault_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_report_tenant_status'), ['tenant_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_report_tenant_reporter'), ['tenant_id', 'reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_report_tenant_merged'), ['tenant_id', 'merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_report_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('fault_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=True),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=160), server_default='', nullable=False),
    sa.Column('by_staff', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'report_id'], ['fault_report.tenant_id', 'fault_report.id'], name=op.f('fk_fault_event_tenant_id_fault_report')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fault_event_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_event')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_fault_event_tenant_id_id'))
    )
    with op.batch_alter_table('fault_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_event_tenant_report'), ['tenant_id', 'report_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_event_tenant_id'), ['tenant_id'], unique=False)
    op.create_table('fault_photo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'event_id'], ['fault_event.tenant_id', 'fault_event.id'], name=op.f('fk_fault_photo_tenant_id_fault_event')),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_fault_photo_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id', 'report_id'], ['fault_report.tenant_id', 'fault_report.id'], name=op.f('fk_fault_photo_tenant_id_fault_report')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_fault_photo_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fault_photo'))
    )
    with op.batch_alter_table('fault_photo', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fault_photo_tenant_report'), ['tenant_id', 'report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_fault_photo_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('correspondence_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('submission', sa.String(length=36), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), server_default=sa.text("'received'"), nullable=False),
    sa.Column('status_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('first_answer_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.String(length=300), server_default='', nullable=False),
    sa.Column('fault_report_id', sa.Integer(), nullable=True),
    sa.Column('fault_number', sa.String(length=20), server_default='', nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'assigned_to_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_correspondence_case_assigned_to')),
    sa.ForeignKeyConstraint(['tenant_id', 'author_id'], ['user_account.tenant_id', 'user_account.id'], name=op.f('fk_correspondence_case_author')),
    sa.ForeignKeyConstraint(['tenant_id', 'fault_report_id'], ['fault_report.tenant_id', 'fault_report.id'], name=op.f('fk_correspondence_case_tenant_id_fault_report')),
    sa.ForeignKeyConstraint(['tenant_id', 'unit_id'], ['unit.tenant_id', 'unit.id'], name=op.f('fk_correspondence_case_tenant_id_unit')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_correspondence_case_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correspondence_case')),
    sa.UniqueConstraint('tenant_id', 'author_id', 'submission', name=op.f('uq_correspondence_case_tenant_id_author_id_submission')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_correspondence_case_tenant_id_id')),
    sa.UniqueConstraint('tenant_id', 'year', 'number', name=op.f('uq_correspondence_case_tenant_id_year_number'))
    )
    with op.batch_alter_table('correspondence_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correspondence_case_tenant_status'), ['tenant_id', 'status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_correspondence_case_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correspondence_case_tenant_author'), ['tenant_id', 'author_id'], unique=False)

    op.create_table('correspondence_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=True),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_label', sa.String(length=160), server_default='', nullable=False),
    sa.Column('by_staff', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'case_id'], ['correspondence_case.tenant_id', 'correspondence_case.id'], name=op.f('fk_correspondence_entry_tenant_id_correspondence_case')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_correspondence_entry_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correspondence_entry')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_correspondence_entry_tenant_id_id'))
    )
    with op.batch_alter_table('correspondence_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correspondence_entry_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correspondence_entry_tenant_case'), ['tenant_id', 'case_id', 'id'], unique=False)

    op.create_table('correspondence_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'case_id'], ['correspondence_case.tenant_id', 'correspondence_case.id'], name=op.f('fk_correspondence_attachment_tenant_id_correspondence_case')),
    sa.ForeignKeyConstraint(['tenant_id', 'entry_id'], ['correspondence_entry.tenant_id', 'correspondence_entry.id'], name=op.f('fk_correspondence_attachment_tenant_id_correspondence_entry')),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_correspondence_attachment_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_correspondence_attachment_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_correspondence_attachment'))
    )
    with op.batch_alter_table('correspondence_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_correspondence_attachment_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_correspondence_attachment_tenant_case'), ['tenant_id', 'case_id'], unique=False)


def _drop_new():
    with op.batch_alter_table('case_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_attachment_tenant_id'))
        batch_op.drop_index('ix_case_attachment_tenant_event')
        batch_op.drop_index('ix_case_attachment_tenant_case')

    op.drop_table('case_attachment')
    with op.batch_alter_table('case_follower', schema=None) as batch_op:
        batch_op.drop_index('ix_case_follower_tenant_user')
        batch_op.drop_index(batch_op.f('ix_case_follower_tenant_id'))

    op.drop_table('case_follower')
    with op.batch_alter_table('case_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_event_tenant_id'))
        batch_op.drop_index('ix_case_event_tenant_case')

    op.drop_table('case_event')
    with op.batch_alter_table('office_case', schema=None) as batch_op:
        batch_op.drop_index('ix_office_case_tenant_queue')
        batch_op.drop_index('ix_office_case_tenant_merged')
        batch_op.drop_index(batch_op.f('ix_office_case_tenant_id'))
        batch_op.drop_index('ix_office_case_tenant_filer')
        batch_op.drop_index('ix_office_case_tenant_building')

    op.drop_table('office_case')
