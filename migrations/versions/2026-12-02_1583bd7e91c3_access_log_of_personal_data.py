"""The access log of personal data: one row per person (or company, or mail) read in a request, with the reader,
the time, the address and the page; ids only, no foreign key to the persons and companies read.

Revision ID: 1583bd7e91c3
Revises: c48d200e7501
Create Date: 2026-12-02 12:59:30.408907

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = '1583bd7e91c3'
down_revision = 'c48d200e7501'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('user_email', sa.String(length=254), nullable=True),
    sa.Column('user_role', sa.String(length=16), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.Enum('contact', 'company_contacts', 'search', 'export', 'data_zip', 'outbox_body', 'api', name='access_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('endpoint', sa.String(length=128), nullable=True),
    sa.Column('path', sa.String(length=255), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_access_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_access_log_company_id_at', ['company_id', 'at'], unique=False)
        batch_op.create_index('ix_access_log_contact_id_at', ['contact_id', 'at'], unique=False)
        batch_op.create_index('ix_access_log_user_id_at', ['user_id', 'at'], unique=False)



def downgrade():
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_index('ix_access_log_user_id_at')
        batch_op.drop_index('ix_access_log_contact_id_at')
        batch_op.drop_index('ix_access_log_company_id_at')
        batch_op.drop_index(batch_op.f('ix_access_log_at'))

    op.drop_table('access_log')
