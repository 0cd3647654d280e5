"""Retention: the runs of `flask retention run` (when, dry or real, by whom, counts by kind), and when an outbox
mail lost its text and files to the retention period.

Revision ID: c350b7d92f14
Revises: 1583bd7e91c3
Create Date: 2026-12-02 13:02:02.268670

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = 'c350b7d92f14'
down_revision = '1583bd7e91c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('retention_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dry_run', sa.Boolean(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('started_by', sa.String(length=200), nullable=False),
    sa.Column('scheduled', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_runs'))
    )
    with op.batch_alter_table('retention_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_runs_started_at'), ['started_at'], unique=False)

    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('trimmed_at', crm.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_column('trimmed_at')

    with op.batch_alter_table('retention_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_runs_started_at'))

    op.drop_table('retention_runs')
