"""Contribution schemes: who pays the share of a plot's tenant that is not a paying member (existing schemes keep
today's rule: the paying tenants share it)

Revision ID: 966d072cacac
Revises: 97cde1232135
Create Date: 2026-12-02 04:58:44.593242

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '966d072cacac'
down_revision = '97cde1232135'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contribution_schemes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unpaid_share', sa.Enum('redistribute', 'owner', 'none', name='unpaid_share',
                                                              native_enum=False, create_constraint=True),
                                      server_default='redistribute', nullable=False))


def downgrade():
    with op.batch_alter_table('contribution_schemes', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contribution_schemes_unpaid_share'), type_='check')
        batch_op.drop_column('unpaid_share')
