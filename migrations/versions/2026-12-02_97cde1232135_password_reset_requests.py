"""Requests for a password reset link, counted to limit the mails per account and the requests per address

Revision ID: 97cde1232135
Revises: 39ec05ad6ddf
Create Date: 2026-12-02 04:57:28.688443

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = '97cde1232135'
down_revision = '39ec05ad6ddf'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset_requests'))
    )
    with op.batch_alter_table('password_reset_requests', schema=None) as batch_op:
        batch_op.create_index('ix_password_reset_requests_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_password_reset_requests_email_at', ['email', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('password_reset_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_password_reset_requests_email_at')
        batch_op.drop_index('ix_password_reset_requests_address_at')
    op.drop_table('password_reset_requests')
