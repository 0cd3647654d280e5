"""The partnership: agreement versions and signatures (sign-up, acceptance, notice); a contact may sign; a scheme
may be published as proposed.

Revision ID: ad8dfed3adf5
Revises: e087d6a70535
Create Date: 2026-12-02 13:01:08.341389

"""
from alembic import op
import sqlalchemy as sa

import crm.db


# revision identifiers, used by Alembic.
revision = 'ad8dfed3adf5'
down_revision = 'e087d6a70535'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('agreement_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('takes_effect_on', sa.Date(), nullable=False),
    sa.Column('notice_months', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('notice_months BETWEEN 0 AND 24', name=op.f('ck_agreement_versions_notice_months_in_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_agreement_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement_versions'))
    )
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_versions_takes_effect_on'), ['takes_effect_on'], unique=False)

    op.create_table('partnership_signatures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('sign_up', 'acceptance', 'notice', name='signature_kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signed_at', crm.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('scheme_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('net_ore', sa.BigInteger(), nullable=True),
    sa.Column('vat_ore', sa.BigInteger(), nullable=True),
    sa.CheckConstraint("kind != 'notice' OR ends_on IS NOT NULL", name=op.f('ck_partnership_signatures_notice_has_end')),
    sa.CheckConstraint("kind != 'sign_up' OR (starts_on IS NOT NULL AND net_ore IS NOT NULL)", name=op.f('ck_partnership_signatures_sign_up_has_start_and_amount')),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement_versions.id'], name=op.f('fk_partnership_signatures_agreement_id_agreement_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_partnership_signatures_company_id_companies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_partnership_signatures_contact_id_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['scheme_id'], ['contribution_schemes.id'], name=op.f('fk_partnership_signatures_scheme_id_contribution_schemes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_partnership_signatures_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_signatures'))
    )
    with op.batch_alter_table('partnership_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnership_signatures_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnership_signatures_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnership_signatures_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnership_signatures_signed_at'), ['signed_at'], unique=False)

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('may_sign', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('contribution_schemes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed', sa.Boolean(), server_default=sa.false(), nullable=False))




def downgrade():
    
    with op.batch_alter_table('contribution_schemes', schema=None) as batch_op:
        batch_op.drop_column('proposed')

    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_column('may_sign')

    with op.batch_alter_table('partnership_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partnership_signatures_signed_at'))
        batch_op.drop_index(batch_op.f('ix_partnership_signatures_contact_id'))
        batch_op.drop_index(batch_op.f('ix_partnership_signatures_company_id'))
        batch_op.drop_index(batch_op.f('ix_partnership_signatures_agreement_id'))

    op.drop_table('partnership_signatures')
    with op.batch_alter_table('agreement_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_versions_takes_effect_on'))

    op.drop_table('agreement_versions')

