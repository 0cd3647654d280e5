"""Who wrote the minutes (the referent), shown in the minutes and their PDF

Revision ID: 8d3e4dbff0cd
Revises: 6c2c4a579bce
Create Date: 2026-12-02 09:36:42.647312

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = '8d3e4dbff0cd'
down_revision = '6c2c4a579bce'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes_writer', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_column('minutes_writer')
