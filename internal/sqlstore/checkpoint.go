package sqlstore

import (
	"context"
	"database/sql"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// SQLite's write-ahead log is copied back into the database file by checkpoints. Left to itself, SQLite checkpoints
// on the committing connection whenever the log passes 1,000 pages: under load that is several times a second, and
// every turn waiting for the writer then also waits for the checkpoint's page copies and its fsyncs (in WAL mode
// with synchronous=NORMAL a checkpoint is the only thing that syncs). Instead a connection of its own checkpoints
// in the background (PASSIVE: it never waits for readers or the writer, and they never wait for it), and the
// writer checkpoints itself only if the log grows past walSafetyPages, as a safety net.
const (
	checkpointEvery = 200 * time.Millisecond
	walSafetyPages  = 20000    // about 80 MB of log before the writer checkpoints itself
	walSizeLimit    = 64 << 20 // the log file is truncated to this after a checkpoint has emptied it
)

// checkpointer runs PASSIVE checkpoints of one SQLite file on its own connection until stopped.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done sync.WaitGroup
	mu   sync.Mutex
	runs int // checkpoints that copied frames, for tests

	closeOnce sync.Once
	closeErr  error
}

func startCheckpointer(path string) (*checkpointer, error) {
	q := url.Values{"_pragma": {"busy_timeout(0)", "journal_size_limit(" + strconv.Itoa(walSizeLimit) + ")"}}
	db, err := openCachedSQLite(path + "?" + q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.done.Go(c.loop)
	return c, nil
}

func (c *checkpointer) loop() {
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
			c.checkpoint()
		}
	}
}

// checkpoint copies what it can of the log into the database file. A failure is left for the next tick (and the
// writer's safety net): the log only grows meanwhile.
func (c *checkpointer) checkpoint() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var busy, logFrames, copied int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &logFrames, &copied); err != nil {
		return
	}
	if copied > 0 {
		c.mu.Lock()
		c.runs++
		c.mu.Unlock()
	}
}

// close stops the checkpoints and closes their connection; closing again (DB.Close twice) does nothing more.
func (c *checkpointer) close() error {
	c.closeOnce.Do(func() {
		close(c.stop)
		c.done.Wait()
		c.closeErr = c.db.Close()
	})
	return c.closeErr
}
