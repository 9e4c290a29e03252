package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/migrations"
	"github.com/sekisho/sekisho/internal/store/pgtest"
	"github.com/sekisho/sekisho/internal/store/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const acct = "111111111111"

// openDSN opens a Store on dsn, closed when the test ends.
func openDSN(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// open opens a Store on a new database.
func open(t testing.TB) *Store { return openDSN(t, pgtest.Start(t)) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

// waitLive waits until s's listener is connected, so that its Generation
// comes from notifications rather than from reading the database.
func waitLive(t *testing.T, s *Store) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !s.listen.live(); {
		if time.Now().After(deadline) {
			t.Fatal("the listener did not connect within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// generation is s's Generation, which must not fail.
func generation(t *testing.T, s *Store) uint64 {
	t.Helper()
	g, err := s.Generation(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// moves waits up to a second for s's Generation to pass from, and returns
// how long that took.
func moves(t *testing.T, s *Store, from uint64) time.Duration {
	t.Helper()
	start := time.Now()
	for generation(t, s) <= from {
		if time.Since(start) > time.Second {
			t.Fatalf("Generation still %d a second after another replica's Update", from)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(start)
}

// put is an Update that stores one setting.
func put(s *Store, key string) error {
	return s.Update(context.Background(), func(tx store.Tx) error { return tx.PutSetting(key, "v") })
}

func TestGenerationAcrossReplicas(t *testing.T) {
	dsn := pgtest.Start(t)
	a, b := openDSN(t, dsn), openDSN(t, dsn)
	waitLive(t, a)
	waitLive(t, b)
	for i := range 3 {
		gb := generation(t, b)
		if err := put(a, fmt.Sprintf("a%d", i)); err != nil {
			t.Fatal(err)
		}
		t.Logf("A's Update %d reached B's Generation in %v", i, moves(t, b, gb))
		ga := generation(t, a)
		if err := put(b, fmt.Sprintf("b%d", i)); err != nil {
			t.Fatal(err)
		}
		t.Logf("B's Update %d reached A's Generation in %v", i, moves(t, a, ga))
	}
	// A store opened later starts from the database's count, not from 0.
	c := openDSN(t, dsn)
	if gc, gb := generation(t, c), generation(t, b); gc != gb || gc < 6 {
		t.Fatalf("a new store's Generation is %d, the others' %d", gc, gb)
	}
}

// TestLimitsHoldAcrossReplicas races writers of two stores (as two
// replicas would) to create keys of one user: Updates take turns, so the
// limit check sees every committed key and exactly the limit gets in.
func TestLimitsHoldAcrossReplicas(t *testing.T) {
	dsn := pgtest.Start(t)
	replicas := []*Store{openDSN(t, dsn), openDSN(t, dsn)}
	err := replicas[0].Update(context.Background(), func(tx store.Tx) error {
		return tx.CreateUser(store.User{Account: acct, Name: "alice", ID: "AIDAALICE"})
	})
	if err != nil {
		t.Fatal(err)
	}
	const each = 8
	var wg sync.WaitGroup
	var created, limited atomic.Int32
	for r, s := range replicas {
		for i := range each {
			wg.Go(func() {
				k := store.AccessKey{ID: fmt.Sprintf("AKIA%d%02d", r, i), Secret: "s", Account: acct, UserName: "alice", Active: true}
				err := s.Update(context.Background(), func(tx store.Tx) error { return tx.CreateAccessKey(k) })
				switch {
				case err == nil:
					created.Add(1)
				case errors.Is(err, store.ErrLimit):
					limited.Add(1)
				default:
					t.Error(err)
				}
			})
		}
	}
	wg.Wait()
	if created.Load() != store.MaxAccessKeys || limited.Load() != 2*each-store.MaxAccessKeys {
		t.Fatalf("%d keys created and %d refused, want %d and %d", created.Load(), limited.Load(),
			store.MaxAccessKeys, 2*each-store.MaxAccessKeys)
	}
}

func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dsn := pgtest.Start(t)
	const n = 4
	var wg sync.WaitGroup
	start := make(chan struct{})
	stores := make([]*Store, n)
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = Open(context.Background(), dsn)
		})
	}
	close(start)
	wg.Wait()
	for i, s := range stores {
		if errs[i] != nil {
			t.Fatalf("Open %d of %d: %v", i, n, errs[i])
		}
		t.Cleanup(func() { s.Close() })
	}
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	var rows, gens int
	err = stores[0].pool.QueryRow(context.Background(),
		"SELECT (SELECT COUNT(*) FROM schema_migrations), (SELECT COUNT(*) FROM generation)").Scan(&rows, &gens)
	if err != nil {
		t.Fatal(err)
	}
	if rows != len(all) || gens != 1 {
		t.Fatalf("%d migration rows (want %d) and %d generation rows (want 1)", rows, len(all), gens)
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t)
	for range 2 {
		if err := Migrate(ctx, dsn); err != nil {
			t.Fatal(err)
		}
	}
	s := openDSN(t, dsn)
	if err := put(s, "k"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	if err := Migrate(ctx, dsn); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("Migrate on a database from a newer build: %v", err)
	}
	if s, err := Open(ctx, dsn); err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer build")
	}
}

func TestBadDSNHidesPassword(t *testing.T) {
	for _, dsn := range []string{"postgres://u:hunter2@host:notaport/db", "host=h port=x password=hunter2"} {
		_, err := Open(context.Background(), dsn)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("Open(%q): %v", dsn, err)
		}
		if err := Migrate(context.Background(), dsn); err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("Migrate(%q): %v", dsn, err)
		}
	}
}

// TestNameOrder checks that lists come in byte order (as with SQLite)
// whatever the database's default collation; the test cluster's is ICU
// en-US, which orders punctuation and accents otherwise.
func TestNameOrder(t *testing.T) {
	s := open(t)
	names := []string{"b", "a-c", "a_b", "a b", "ab", "Zed", "é", "e", "A.B", "a~"}
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i, n := range names {
			if err := tx.CreateUser(store.User{Account: acct, Name: n, ID: fmt.Sprintf("AIDA%d", i)}); err != nil {
				return err
			}
			if err := tx.CreateBucket(store.Bucket{Name: n, Account: acct}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	byKey := append([]string(nil), names...)
	sort.Slice(byKey, func(i, j int) bool { return strings.ToLower(byKey[i]) < strings.ToLower(byKey[j]) })
	byName := append([]string(nil), names...)
	sort.Strings(byName)
	var users, buckets []string
	err = s.View(context.Background(), func(tx store.Tx) error {
		us, err := tx.ListUsers(acct, "")
		for _, u := range us {
			users = append(users, u.Name)
		}
		bs, berr := tx.ListBuckets("")
		for _, b := range bs {
			buckets = append(buckets, b.Name)
		}
		return errors.Join(err, berr)
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(users, "|") != strings.Join(byKey, "|") {
		t.Errorf("users listed as %q, want %q", users, byKey)
	}
	if strings.Join(buckets, "|") != strings.Join(byName, "|") {
		t.Errorf("buckets listed as %q, want %q", buckets, byName)
	}
	var natural string
	if err := s.pool.QueryRow(context.Background(), "SELECT string_agg(n, '|' ORDER BY n) FROM unnest($1::text[]) n", names).Scan(&natural); err != nil {
		t.Fatal(err)
	}
	if natural == strings.Join(byName, "|") {
		t.Log("the database's default collation is byte order too: this test proves less")
	}
}

// TestFailedCallKeepsTransaction checks that, as with SQLite, a store call
// failing for an expected reason leaves the transaction usable.
func TestFailedCallKeepsTransaction(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, name := range []string{"alice", "bob"} {
			if err := tx.CreateUser(store.User{Account: acct, Name: name, ID: "AIDA" + name}); err != nil {
				return err
			}
		}
		fails := map[string]error{
			"create taken name": tx.CreateUser(store.User{Account: acct, Name: "ALICE", ID: "AIDAOTHER"}),
			"create taken id":   tx.CreateUser(store.User{Account: acct, Name: "carol", ID: "AIDAalice"}),
			"rename to taken":   tx.UpdateUser(store.User{Account: acct, Name: "Bob", ID: "AIDAalice"}),
			"taken account alias": errors.Join(tx.PutAccount(store.Account{ID: acct, Alias: "x"}),
				tx.PutAccount(store.Account{ID: "222222222222", Alias: "x"})),
		}
		for what, err := range fails {
			if !errors.Is(err, store.ErrExists) {
				return fmt.Errorf("%s: %v, want ErrExists", what, err)
			}
		}
		return tx.CreateUser(store.User{Account: acct, Name: "dave", ID: "AIDAdave"})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx store.Tx) error {
		us, err := tx.ListUsers(acct, "")
		if err == nil && len(us) != 3 {
			err = fmt.Errorf("%d users, want alice, bob and dave", len(us))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBrokenConnectionRetried kills the connection of an Update before it
// commits: the Update runs again on a new connection and succeeds once.
func TestBrokenConnectionRetried(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t)
	s := openDSN(t, dsn)
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	calls := 0
	err = s.Update(ctx, func(tx store.Tx) error {
		if calls++; calls == 1 {
			_, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid()`)
			if err != nil {
				t.Fatal(err)
			}
		}
		return tx.CreateUser(store.User{Account: acct, Name: "alice", ID: "AIDAALICE"})
	})
	if err != nil || calls != 2 {
		t.Fatalf("Update: %v after %d runs of fn, want success after 2", err, calls)
	}
	checkCommitted(t, s, []string{"alice"})
}

// TestServerRestart restarts the server under a store in use: Updates fail
// while it is down (none reports a success it did not commit) and work
// again afterwards on the same Store, whose Generation never serves a
// cached value while it cannot know it is current.
func TestServerRestart(t *testing.T) {
	dsn := pgtest.Start(t)
	s, other := openDSN(t, dsn), openDSN(t, dsn)
	waitLive(t, s)
	waitLive(t, other)
	w := startWriter(s)
	time.Sleep(300 * time.Millisecond)
	pgtest.Restart(t, func() {
		if err := put(s, "while-down"); err == nil {
			t.Error("an Update succeeded while the server was down")
		}
		waitGenerationFails(t, other)
		time.Sleep(300 * time.Millisecond) // let the writer meet the outage too
	})
	g := generation(t, other)
	if err := put(s, "after"); err != nil {
		t.Fatalf("first Update after the restart: %v", err)
	}
	moves(t, other, g)
	time.Sleep(300 * time.Millisecond)
	ok, failed := w.stop()
	t.Logf("writer: %d Updates succeeded, %d failed", len(ok), failed)
	if failed == 0 {
		t.Error("no Update of the writer failed during the outage")
	}
	if len(w.rerun) > 0 {
		t.Errorf("Updates run again after they had committed: %v", w.rerun)
	}
	checkCommitted(t, s, ok)
}

// waitGenerationFails waits for s's Generation to fail, as it must once
// its listener has lost the server.
func waitGenerationFails(t *testing.T, s *Store) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Second); ; {
		if _, err := s.Generation(context.Background()); err != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Error("Generation still answers 3s after the server went down")
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writer creates users in a loop, one per Update, noting which succeeded.
type writer struct {
	halt   atomic.Bool
	done   chan struct{}
	ok     []string
	rerun  []string // Updates that failed because they had committed
	failed int
}

func startWriter(s *Store) *writer {
	w := &writer{done: make(chan struct{})}
	go func() {
		defer close(w.done)
		for i := 0; !w.halt.Load(); i++ {
			name := fmt.Sprintf("w%05d", i)
			err := s.Update(context.Background(), func(tx store.Tx) error {
				return tx.CreateUser(store.User{Account: acct, Name: name, ID: "AIDA" + name})
			})
			if errors.Is(err, store.ErrExists) {
				w.rerun = append(w.rerun, name) // a retry after its own commit
			}
			if err != nil {
				w.failed++
				time.Sleep(5 * time.Millisecond)
				continue
			}
			w.ok = append(w.ok, name)
		}
	}()
	return w
}

func (w *writer) stop() (ok []string, failed int) {
	w.halt.Store(true)
	<-w.done
	return w.ok, w.failed
}

// checkCommitted fails unless every user in names exists.
func checkCommitted(t *testing.T, s *Store, names []string) {
	t.Helper()
	err := s.View(context.Background(), func(tx store.Tx) error {
		for _, n := range names {
			if _, err := tx.GetUser(acct, n); err != nil {
				return fmt.Errorf("an Update reported success but did not commit: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
