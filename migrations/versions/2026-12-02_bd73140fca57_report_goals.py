"""Report goals: the year's goals, each a text with an optional target tied to a figure or a result entered by hand

Revision ID: bd73140fca57
Revises: ac4fc8deb793
Create Date: 2026-12-02 09:48:15.015403

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = 'bd73140fca57'
down_revision = 'ac4fc8deb793'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('figure', sa.String(length=50), nullable=True),
    sa.Column('target', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('manual_result', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('manual_source', sa.String(length=300), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_goals'))
    )
    with op.batch_alter_table('report_goals', schema=None) as batch_op:
        batch_op.create_index('ix_report_goals_year', ['year'], unique=False)



def downgrade():
    with op.batch_alter_table('report_goals', schema=None) as batch_op:
        batch_op.drop_index('ix_report_goals_year')

    op.drop_table('report_goals')
