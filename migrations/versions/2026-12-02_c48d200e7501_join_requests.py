"""Join requests: a company new to Avedøre Holme asks to join at /join (CVR, address, role, a contact person with
their consent, the sender's address for the rate limit); staff approve (the company and contact it became) or
decline with a reason

Revision ID: c48d200e7501
Revises: 12d3378190cb
Create Date: 2026-12-02 13:00:02.630896

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = 'c48d200e7501'
down_revision = '12d3378190cb'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('join_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cvr', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('postal_code', sa.String(length=10), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('role', sa.Enum('owner', 'tenant', 'both', name='company_role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=50), nullable=False),
    sa.Column('consent_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('consent_text_version', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('pending', 'approved', 'declined', name='join_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('decided_at', crm.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_join_requests_company_id_companies'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_join_requests_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_join_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_requests'))
    )
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.create_index('ix_join_requests_address_created_at', ['address', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_cvr'), ['cvr'], unique=False)
        batch_op.create_index(batch_op.f('ix_join_requests_state'), ['state'], unique=False)



def downgrade():
    with op.batch_alter_table('join_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_join_requests_state'))
        batch_op.drop_index(batch_op.f('ix_join_requests_cvr'))
        batch_op.drop_index(batch_op.f('ix_join_requests_contact_id'))
        batch_op.drop_index(batch_op.f('ix_join_requests_company_id'))
        batch_op.drop_index('ix_join_requests_address_created_at')

    op.drop_table('join_requests')
