"""Mass mailings confirmed by staff, and the mails each queued

Revision ID: 6c2c4a579bce
Revises: 966d072cacac
Create Date: 2026-12-02 09:35:39.743254

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = '6c2c4a579bce'
down_revision = '966d072cacac'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('mass_mailings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('object_type', sa.String(length=64), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('back_path', sa.String(length=500), nullable=False),
    sa.Column('queued', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mass_mailings_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mass_mailings')),
    sa.UniqueConstraint('token', name=op.f('uq_mass_mailings_token'))
    )
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mass_mailing_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbound_emails_mass_mailing_id'), ['mass_mailing_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_outbound_emails_mass_mailing_id_mass_mailings'), 'mass_mailings', ['mass_mailing_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('outbound_emails', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_outbound_emails_mass_mailing_id_mass_mailings'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_outbound_emails_mass_mailing_id'))
        batch_op.drop_column('mass_mailing_id')

    op.drop_table('mass_mailings')
