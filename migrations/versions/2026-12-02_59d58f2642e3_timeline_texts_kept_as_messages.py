"""Timeline texts the system writes kept as their message and values, shown in each reader's language

Revision ID: 59d58f2642e3
Revises: 8d3e4dbff0cd
Create Date: 2026-12-02 09:56:58.604536

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = '59d58f2642e3'
down_revision = '8d3e4dbff0cd'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('message_values', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_column('message_values')
        batch_op.drop_column('message')
