"""Two-factor login: on users the TOTP secret (and one being enrolled), when it was turned on and the last code step
used; hashed single-use recovery codes.

Revision ID: 12d3378190cb
Revises: 9abaa17d5f90
Create Date: 2026-12-02 10:35:51.349006

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = '12d3378190cb'
down_revision = '9abaa17d5f90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('two_factor_recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_two_factor_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_two_factor_recovery_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_two_factor_recovery_codes_code_hash'))
    )
    with op.batch_alter_table('two_factor_recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_two_factor_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('two_factor_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('two_factor_new_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('two_factor_enabled_at', crm.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('two_factor_last_step', sa.BigInteger(), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('two_factor_last_step')
        batch_op.drop_column('two_factor_enabled_at')
        batch_op.drop_column('two_factor_new_secret')
        batch_op.drop_column('two_factor_secret')

    with op.batch_alter_table('two_factor_recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_two_factor_recovery_codes_user_id'))

    op.drop_table('two_factor_recovery_codes')
