package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/tillhq/till"
)

const defaultTicketTTL = 30 * 24 * time.Hour

func runUsers(ctx context.Context, args []string) error {
	usage := func() {
		fmt.Fprint(os.Stderr, `Usage:
  till users add NAME --role ROLE [--retailer ID]...   create a user and print its first ticket
  till users ticket NAME                               issue a new ticket for a user
  till users revoke NAME                               revoke every live ticket of a user

Each prints one JSON line. ROLE is user, system, moderator or admin; a system
user needs at least one --retailer. Tickets last --ttl (env TILL_TICKET_TTL).
`)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		usage()
		if len(args) == 0 {
			return till.Invalid("command", "users needs a subcommand: add, ticket or revoke")
		}
		return flag.ErrHelp
	}
	sub, args := args[0], args[1:]

	fs := flag.NewFlagSet("users "+sub, flag.ContinueOnError)
	var sc storeConfig
	sc.register(fs)
	ttl := fs.Duration("ttl", envDuration("TILL_TICKET_TTL", defaultTicketTTL), "ticket lifetime (env TILL_TICKET_TTL)")
	var role string
	var retailers listFlag
	if sub == "add" {
		fs.StringVar(&role, "role", string(till.RoleUser), "user, system, moderator or admin")
		fs.Var(&retailers, "retailer", "retailer `id` a system user acts for (repeatable)")
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		usage()
		return till.Invalid("name", "users %s takes exactly one NAME", sub)
	}
	name := pos[0]

	switch sub {
	case "add", "ticket", "revoke":
	default:
		usage()
		return till.Invalid("command", "unknown users subcommand %q", sub)
	}

	st, err := sc.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now()

	var out any
	switch sub {
	case "add":
		r, err := till.ParseRole("role", role)
		if err != nil {
			return err
		}
		u, err := till.NewUser(name, r, retailers, now)
		if err != nil {
			return err
		}
		if err := st.CreateUser(ctx, u); err != nil {
			return err
		}
		out, err = issueTicket(ctx, st, u.ID, now, *ttl)
		if err != nil {
			return err
		}
	case "ticket":
		u, err := st.User(ctx, till.UserIDFromRef(name))
		if err != nil {
			return err
		}
		out, err = issueTicket(ctx, st, u.ID, now, *ttl)
		if err != nil {
			return err
		}
	case "revoke":
		id := till.UserIDFromRef(name)
		n, err := st.RevokeTickets(ctx, id, now)
		if err != nil {
			return err
		}
		out = map[string]any{"id": id, "revoked": n}
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

type issuedTicket struct {
	ID        string    `json:"id"`
	Ticket    string    `json:"ticket"`
	ExpiresAt time.Time `json:"expires_at"`
}

func issueTicket(ctx context.Context, st till.UserStore, userID string, now time.Time, ttl time.Duration) (issuedTicket, error) {
	secret, t := till.NewTicket(userID, now, ttl)
	if err := st.CreateTicket(ctx, t); err != nil {
		return issuedTicket{}, err
	}
	return issuedTicket{ID: userID, Ticket: secret, ExpiresAt: t.ExpiresAt}, nil
}
