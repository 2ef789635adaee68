package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// ClaimOrganisation records that this database is the register of the organisation with business id businessID
// in Entra tenant tenantID, when it records nothing yet, and refuses (domain.EConflict) when it is another
// organisation's or another tenant's: one deployment serves several organisations, each from its own database,
// and a configuration that points one organisation at another's database must never start. A tenant id recorded
// empty (the local anonymous mode) is filled in by the first start that has one.
func (db *DB) ClaimOrganisation(ctx context.Context, businessID, tenantID string) error {
	const op = "sqlstore.ClaimOrganisation"
	tenantID = strings.ToLower(tenantID)
	if _, err := db.write.ExecContext(ctx, `INSERT INTO organisation_identity (slot, business_id, tenant_id, recorded_at)
VALUES (1, $1, $2, $3) ON CONFLICT (slot) DO NOTHING`, businessID, tenantID, db.timeArg(db.nowUTC())); err != nil {
		return opError(op, err)
	}
	var bid, tid string
	err := db.write.QueryRowContext(ctx, `SELECT business_id, tenant_id FROM organisation_identity WHERE slot = 1`).Scan(&bid, &tid)
	if err != nil {
		return opError(op, err)
	}
	switch {
	case bid != businessID:
		return domain.Errorf(domain.EConflict, "this database is the register of organisation %s, not of %s", bid, businessID)
	case tid != "" && tenantID != "" && tid != tenantID:
		return domain.Errorf(domain.EConflict, "this database is the register of organisation %s in tenant %s, not in tenant %s", bid, tid, tenantID)
	case tid == "" && tenantID != "":
		if _, err := db.write.ExecContext(ctx, `UPDATE organisation_identity SET tenant_id = $1 WHERE slot = 1 AND tenant_id = ''`, tenantID); err != nil {
			return opError(op, err)
		}
	}
	return nil
}

// Organisation returns the business id and tenant this database records (ClaimOrganisation); empty when none.
func (db *DB) Organisation(ctx context.Context) (businessID, tenantID string, err error) {
	err = db.read.QueryRowContext(ctx, `SELECT business_id, tenant_id FROM organisation_identity WHERE slot = 1`).Scan(&businessID, &tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	if err != nil {
		return "", "", opError("sqlstore.Organisation", err)
	}
	return businessID, tenantID, nil
}
