package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tillhq/till"
)

// The statements that keep each receipt of a group apart.
const (
	savepointSQL  = "SAVEPOINT receipt"
	rollbackToSQL = "ROLLBACK TO SAVEPOINT receipt"
	releaseSQL    = "RELEASE SAVEPOINT receipt"
)

// maxGroup bounds how many receipts share one transaction, so that one
// commit never holds the writer for long.
const maxGroup = 256

// groupCommit creates receipts in shared transactions. A receipt is
// answered only once the transaction holding it has committed, so a
// success still means the receipt is on disk; what is shared is the wait
// for the disk, which on SQLite with synchronous=FULL is most of the cost
// of a small transaction, and the receipt hook, which is called once for
// the group. Each receipt runs in a savepoint of its own, so one that
// fails (a duplicate id, an unknown user) fails alone; a failing hook
// fails the whole group.
type groupCommit struct {
	s    *Store
	reqs chan *createReq
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

type createReq struct {
	ctx  context.Context
	r    *till.Receipt
	keys []string
	err  chan error // buffered: the committer never blocks on it
	done bool       // answered already; owned by the committer
}

// answer sends the request its outcome, once.
func (req *createReq) answer(err error) {
	if !req.done {
		req.done = true
		req.err <- err
	}
}

func newGroupCommit(s *Store) *groupCommit {
	g := &groupCommit{
		s:    s,
		reqs: make(chan *createReq),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	go g.loop()
	return g
}

// create queues a receipt for the next transaction and waits for its
// outcome. Once queued, it waits even if ctx ends: the receipt may commit
// with its group, and answering before that would misreport it.
func (g *groupCommit) create(ctx context.Context, r *till.Receipt, keys []string) error {
	errc := make(chan error, 1)
	req := &createReq{ctx: ctx, r: r, keys: keys, err: errc}
	select {
	case g.reqs <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.quit:
		return till.Errorf(till.KindUnavailable, "the store is closing")
	}
	return <-errc
}

// close stops taking receipts and returns when the last group committed.
func (g *groupCommit) close() {
	g.once.Do(func() { close(g.quit) })
	<-g.done
}

func (g *groupCommit) loop() {
	defer close(g.done)
	for {
		var first *createReq
		select {
		case first = <-g.reqs:
		case <-g.quit:
			return
		}
		// Take whatever else is waiting, without waiting for more: while
		// one group commits, the next one gathers.
		group := []*createReq{first}
	gather:
		for len(group) < maxGroup {
			select {
			case req := <-g.reqs:
				group = append(group, req)
			default:
				break gather
			}
		}
		g.commit(group)
	}
}

// commit runs one group in one transaction and answers every request.
//
// Receipts rarely fail on their own (ids are made by the server, users are
// authenticated), so the group first runs without savepoints; only when a
// receipt fails is the transaction rolled back and the group run again
// with a savepoint around each receipt, so that it fails alone.
func (g *groupCommit) commit(group []*createReq) {
	s := g.s
	// The transaction outlives any one request, so it runs on a context of
	// its own: cancelling a statement inside an SQLite transaction can roll
	// the whole transaction back.
	ctx := context.Background()
	for _, q := range []string{insertReceiptSQL, insertImageLinkSQL, savepointSQL, rollbackToSQL, releaseSQL} {
		s.stmt(ctx, s.w, q)
	}
	seqs := make([]int64, len(group))
	for i, req := range group {
		seqs[i] = req.r.Seq
	}
	retry, err := g.run(ctx, group, false)
	if retry {
		for i, req := range group {
			req.r.Seq = seqs[i]
		}
		_, err = g.run(ctx, group, true)
	}
	for _, req := range group {
		req.answer(err)
	}
}

// run creates the group's receipts in one transaction and commits it. A
// request that fails alone is answered here; the returned error is for all
// the others. Without savepoints, the first receipt that fails stops the
// run, rolls it back and asks for a retry with them.
func (g *groupCommit) run(ctx context.Context, group []*createReq, savepoints bool) (retry bool, err error) {
	s := g.s
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, s.fail("create receipt", err)
	}
	created := make([]*till.Receipt, 0, len(group))
	if !savepoints && !s.d.CacheStatements {
		// Where statements are not cached (PostgreSQL), round trips are
		// the cost: the whole group goes in two statements.
		live := make([]*createReq, 0, len(group))
		for _, req := range group {
			if err := req.ctx.Err(); err != nil && !req.done {
				req.answer(err) // gone before its turn: never created
			}
			if !req.done {
				live = append(live, req)
				created = append(created, req.r)
			}
		}
		if err := s.insertGroup(ctx, tx, live); err != nil {
			_ = tx.Rollback()
			return true, nil
		}
		group = nil
	}
	for _, req := range group {
		if req.done {
			continue
		}
		if err := req.ctx.Err(); err != nil {
			req.answer(err) // gone before its turn: never created
			continue
		}
		if !savepoints {
			if err := s.createReceipt(context.WithoutCancel(req.ctx), tx, req.r, req.keys); err != nil {
				_ = tx.Rollback()
				return true, nil
			}
		} else if err := g.createOne(ctx, tx, req); err != nil {
			req.answer(err)
			continue
		}
		created = append(created, req.r)
	}
	if s.onProcess != nil && len(created) > 0 {
		if err := s.onProcess(ctx, tx, created); err != nil {
			_ = tx.Rollback()
			return false, err
		}
	}
	if err := tx.Commit(); err != nil {
		return false, s.fail("create receipt", err)
	}
	return false, nil
}

// createOne creates one receipt of a group inside a savepoint, rolling back
// only its own work when it fails.
func (g *groupCommit) createOne(ctx context.Context, tx *sql.Tx, req *createReq) error {
	s := g.s
	if _, err := s.exec(ctx, tx, savepointSQL); err != nil {
		return s.fail("create receipt", err)
	}
	seq := req.r.Seq
	if err := s.createReceipt(context.WithoutCancel(req.ctx), tx, req.r, req.keys); err != nil {
		req.r.Seq = seq
		if _, rerr := s.exec(ctx, tx, rollbackToSQL); rerr != nil {
			return s.fail("create receipt", rerr)
		}
		if _, rerr := s.exec(ctx, tx, releaseSQL); rerr != nil {
			return s.fail("create receipt", rerr)
		}
		return err
	}
	if _, err := s.exec(ctx, tx, releaseSQL); err != nil {
		return s.fail("create receipt", err)
	}
	return nil
}

// insertGroup inserts the receipts of live with multi-row statements and
// links their stored images, setting each receipt's Seq.
func (s *Store) insertGroup(ctx context.Context, tx *sql.Tx, live []*createReq) error {
	receipts := make([]*till.Receipt, len(live))
	for i, req := range live {
		receipts[i] = req.r
	}
	for chunk := range slices.Chunk(receipts, receiptsPerStatement) {
		if err := s.insertReceipts(ctx, tx, chunk); err != nil {
			return err
		}
	}
	var query strings.Builder
	var args []any
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		_, err := tx.ExecContext(ctx, s.rebind(query.String()), args...)
		query.Reset()
		args = args[:0]
		return err
	}
	for _, req := range live {
		for i, key := range req.keys {
			if key == "" {
				continue
			}
			if len(args) == 0 {
				query.WriteString(`INSERT INTO receipt_images (receipt_seq, position, image_key) VALUES `)
			} else {
				query.WriteString(", ")
			}
			args = append(args, req.r.Seq, i, key)
			n := len(args)
			fmt.Fprintf(&query, "($%d, $%d, $%d)", n-2, n-1, n)
			if len(args) >= 3*linksPerStatement {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	return flush()
}

// Rows per multi-row statement, well below the limit on a statement's
// arguments.
const (
	receiptsPerStatement = 100
	linksPerStatement    = 1000
)
