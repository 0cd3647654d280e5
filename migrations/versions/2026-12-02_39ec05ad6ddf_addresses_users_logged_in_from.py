"""Addresses users logged in from: while an account is under guessing from many addresses, these may still try

Revision ID: 39ec05ad6ddf
Revises: 37b7713beb71
Create Date: 2026-12-02 04:48:20.560861

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = '39ec05ad6ddf'
down_revision = '37b7713beb71'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('login_addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('last_login_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_addresses_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_addresses')),
    sa.UniqueConstraint('user_id', 'address', name=op.f('uq_login_addresses_user_id_address'))
    )


def downgrade():
    op.drop_table('login_addresses')
