package metrics

import (
	"context"
	"errors"
	"strings"
	"syscall"

	"github.com/sekisho/sekisho/internal/store"
)

// CountStoreErrors returns st with its own failures counted: an
// unavailable database, a full disk, an I/O error. Answers of the state
// (not found, exists, conflict, limit) and the callers' own errors
// returned from a transaction's function are not failures of the store.
func (m *Metrics) CountStoreErrors(st store.Store) store.Store {
	return &countingStore{Store: st, m: m}
}

type countingStore struct {
	store.Store
	m *Metrics
}

func (s *countingStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.count(ctx, s.Store.View, fn)
}

func (s *countingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.count(ctx, s.Store.Update, fn)
}

func (s *countingStore) Generation(ctx context.Context) (uint64, error) {
	g, err := s.Store.Generation(ctx)
	if err != nil && ctx.Err() == nil {
		s.m.StoreError(err)
	}
	return g, err
}

// count runs a transaction and counts its error unless it is the
// function's own (which may come from a Tx method; those that are the
// store's failures carry ErrUnavailable or ENOSPC and are counted).
func (s *countingStore) count(ctx context.Context, run func(context.Context, func(store.Tx) error) error, fn func(store.Tx) error) error {
	var fnErr error
	err := run(ctx, func(tx store.Tx) error {
		fnErr = fn(tx)
		return fnErr
	})
	switch {
	case err == nil, ctx.Err() != nil:
	case fnErr != nil && errors.Is(err, fnErr) && errorKind(err) == "other":
	case isStateAnswer(err):
	default:
		s.m.StoreError(err)
	}
	return err
}

func isStateAnswer(err error) bool {
	return errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrExists) ||
		errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrLimit)
}

// StoreError counts a failure of the store.
func (m *Metrics) StoreError(err error) { m.storeErrors.WithLabelValues(errorKind(err)).Inc() }

// BlobError counts a failure of the object store.
func (m *Metrics) BlobError(err error) { m.blobErrors.WithLabelValues(errorKind(err)).Inc() }

// errorKind sorts a failure: "unavailable" (the database cannot be
// reached), "no_space" (the disk is full), or "other".
func errorKind(err error) string {
	switch {
	case errors.Is(err, store.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT),
		// SQLite reports SQLITE_FULL as text through the driver.
		strings.Contains(err.Error(), "database or disk is full"):
		return "no_space"
	}
	return "other"
}
