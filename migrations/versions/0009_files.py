"""The tenant-scoped file store (row-level security); meter photos and import uploads move in.

Photos kept in ``meter_reading_photo.data`` become stored files; an upload that was still
waiting on disk for the worker (``import_run.stored_file``) cannot be moved: such a run is
marked failed, to be uploaded again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 08:00:25.334978

"""
import hashlib

import sqlalchemy as sa
from alembic import op

from iok_saas.db import rls


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_stored_file_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sa.UniqueConstraint('tenant_id', 'id', name=op.f('uq_stored_file_tenant_id_id'))
    )
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('stored_file_chunk',
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('tenant_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'file_id'], ['stored_file.tenant_id', 'stored_file.id'], name=op.f('fk_stored_file_chunk_tenant_id_stored_file')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenant.id'], name=op.f('fk_stored_file_chunk_tenant_id_tenant'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'seq', name=op.f('pk_stored_file_chunk'))
    )
    with op.batch_alter_table('stored_file_chunk', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stored_file_chunk_tenant_id'), ['tenant_id'], unique=False)
    for table in ('stored_file', 'stored_file_chunk'):
        rls.enable(op, table)

    bind = op.get_bind()
    _all_tenants(bind, True)

    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_import_run_tenant_id_stored_file'), 'stored_file', ['tenant_id', 'file_id'], ['tenant_id', 'id'])
        batch_op.create_index('ix_import_run_tenant_file', ['tenant_id', 'file_id'], unique=False)
    op.execute("UPDATE import_run SET status = 'failed', finished_at = CURRENT_TIMESTAMP "
               "WHERE status IN ('queued', 'running') AND stored_file IS NOT NULL")
    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.drop_column('stored_file')

    with op.batch_alter_table('meter_reading_photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_id', sa.Integer(), nullable=True))
    _move_photos(bind)
    with op.batch_alter_table('meter_reading_photo', schema=None) as batch_op:
        batch_op.alter_column('file_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_meter_reading_photo_tenant_id_stored_file'), 'stored_file', ['tenant_id', 'file_id'], ['tenant_id', 'id'])
        batch_op.create_index('ix_meter_reading_photo_tenant_file', ['tenant_id', 'file_id'], unique=False)
        batch_op.drop_column('data')
    _all_tenants(bind, False)


def _all_tenants(bind, on):
    """The owner is bound by the forced row-level security policies too: open them for the
    moves below, and close them again."""
    if bind.dialect.name == 'postgresql':
        op.execute(f"SELECT set_config('app.all_tenants', '{'on' if on else 'off'}', true)")


def _move_photos(bind):
    """Each photo's bytes become a stored file with one chunk (photos are small), one photo
    in memory at a time."""
    ids = bind.execute(sa.text("SELECT id FROM meter_reading_photo ORDER BY id")).scalars().all()
    for photo_id in ids:
        tenant_id, reading_id, data = bind.execute(sa.text(
            "SELECT tenant_id, reading_id, data FROM meter_reading_photo WHERE id = :id"),
            {"id": photo_id}).one()
        file_id = bind.execute(sa.text(
            "INSERT INTO stored_file (tenant_id, purpose, filename, content_type, size, sha256, "
            "created_at) VALUES (:tenant, 'reading_photo', :name, 'image/jpeg', :size, :digest, "
            "CURRENT_TIMESTAMP) RETURNING id"),
            {"tenant": tenant_id, "name": f"odczyt-{reading_id}.jpg", "size": len(data),
             "digest": hashlib.sha256(data).hexdigest()}).scalar_one()
        bind.execute(sa.text(
            "INSERT INTO stored_file_chunk (tenant_id, file_id, seq, data) "
            "VALUES (:tenant, :file, 0, :data)"),
            {"tenant": tenant_id, "file": file_id, "data": data})
        bind.execute(sa.text("UPDATE meter_reading_photo SET file_id = :file WHERE id = :id"),
                     {"file": file_id, "id": photo_id})


def downgrade():
    bind = op.get_bind()
    _all_tenants(bind, True)
    with op.batch_alter_table('meter_reading_photo', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data', sa.LargeBinary(), nullable=True))
    photos = bind.execute(sa.text("SELECT id, file_id FROM meter_reading_photo")).all()
    for photo_id, file_id in photos:  # every chunk, in order, one photo at a time
        chunks = bind.execute(sa.text("SELECT data FROM stored_file_chunk WHERE file_id = :f "
                                      "ORDER BY seq"), {"f": file_id}).scalars().all()
        bind.execute(sa.text("UPDATE meter_reading_photo SET data = :data WHERE id = :id"),
                     {"data": b"".join(chunks), "id": photo_id})
    with op.batch_alter_table('meter_reading_photo', schema=None) as batch_op:
        batch_op.drop_index('ix_meter_reading_photo_tenant_file')
        batch_op.drop_constraint(batch_op.f('fk_meter_reading_photo_tenant_id_stored_file'), type_='foreignkey')
        batch_op.drop_column('file_id')
        batch_op.alter_column('data', existing_type=sa.LargeBinary(), nullable=False)

    with op.batch_alter_table('import_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stored_file', sa.VARCHAR(length=300), nullable=True))
        batch_op.drop_index('ix_import_run_tenant_file')
        batch_op.drop_constraint(batch_op.f('fk_import_run_tenant_id_stored_file'), type_='foreignkey')
        batch_op.drop_column('file_id')
    _all_tenants(bind, False)

    for table in ('stored_file_chunk', 'stored_file'):
        rls.disable(op, table)
    with op.batch_alter_table('stored_file_chunk', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_chunk_tenant_id'))
    op.drop_table('stored_file_chunk')
    with op.batch_alter_table('stored_file', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stored_file_tenant_id'))
    op.drop_table('stored_file')
