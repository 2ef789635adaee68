package main

import (
	"flag"
	"fmt"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/tenancy"
)

// orgFlag adds -org to a command that works on one organisation's register or configuration.
func orgFlag(fs *flag.FlagSet) *string {
	return fs.String("org", "", "the organisation's business id (needed when VALTUUS_ORGANISATIONS_CONFIG lists several)")
}

// orgConfig is the configuration of the organisation a command works on: the environment's, or with an
// organisations file the one -org names (or the only one). opt gets the organisation's id and membership rule, so
// the command sees only its people in the directory.
func orgConfig(id string, opt *app.Options) (*config.Config, error) {
	base, err := config.FromEnv(nil)
	if err != nil {
		return nil, fmt.Errorf("configuration:\n%w", err)
	}
	set, err := tenancy.FromEnv(base, nil)
	if err != nil {
		return nil, err
	}
	o, err := set.Pick(id)
	if err != nil {
		return nil, err
	}
	if set.FromFile {
		opt.OrgID, opt.Member = o.ID, o.Member
	} else if id != "" {
		cat, err := app.LoadCatalog(base)
		if err != nil {
			return nil, err
		}
		if cat.Org.BusinessID != id {
			return nil, fmt.Errorf("-org %s: this deployment serves %s", id, cat.Org.BusinessID)
		}
	}
	return o.Config, nil
}
