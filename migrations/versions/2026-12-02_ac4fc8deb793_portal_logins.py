"""Portal logins: one row per login of a company's user, so the yearly report can count portal-active companies
(seeded with each company user's latest login, the only one known so far)

Revision ID: ac4fc8deb793
Revises: 59d58f2642e3
Create Date: 2026-12-02 09:35:56.614198

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = 'ac4fc8deb793'
down_revision = '59d58f2642e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('portal_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_portal_logins_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_portal_logins_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_logins'))
    )
    with op.batch_alter_table('portal_logins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_portal_logins_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_portal_logins_company_id'), ['company_id'], unique=False)

    op.execute("INSERT INTO portal_logins (user_id, company_id, at) SELECT id, company_id, last_login_at FROM users "
               "WHERE role = 'company' AND company_id IS NOT NULL AND last_login_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table('portal_logins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_portal_logins_company_id'))
        batch_op.drop_index(batch_op.f('ix_portal_logins_at'))

    op.drop_table('portal_logins')
