package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
)

// turnReply posts a turn's reply that Teams' limits held back, as the turn rendered it, into the turn's
// conversation. A conversation that refuses it (gone, closed to the bot) will not take it later either.
func (d *Deliverer) turnReply(ctx context.Context, r domain.TurnReply) error {
	var a schema.Activity
	if err := json.Unmarshal(r.Activity, &a); err != nil {
		return fmt.Errorf("%w: turn reply: %v", outbox.ErrPermanent, err)
	}
	if r.TenantID != "" {
		ctx = connector.WithTenant(ctx, r.TenantID)
	}
	if _, err := d.Connector.SendActivity(ctx, r.ServiceURL, r.ConversationID, a); err != nil {
		switch connectorStatus(err) {
		case http.StatusBadRequest, http.StatusForbidden, http.StatusNotFound:
			return fmt.Errorf("%w: %v", outbox.ErrPermanent, err)
		}
		return err
	}
	return nil
}
