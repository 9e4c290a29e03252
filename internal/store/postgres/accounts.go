package postgres

import "github.com/sekisho/sekisho/internal/store"

// PutAccount creates the account or updates its alias (keeping CreatedAt).
// Aliases other than "" are unique: a taken one gives store.ErrExists.
func (t *tx) PutAccount(a store.Account) error {
	if err := required("put account", "ID", a.ID); err != nil {
		return err
	}
	taken, err := t.exists("SELECT 1 FROM accounts WHERE alias = $1 AND alias <> '' AND id <> $2", a.Alias, a.ID)
	if err == nil && taken {
		err = store.ErrExists
	}
	if err == nil {
		_, err = t.exec(`INSERT INTO accounts (id, alias, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (id) DO UPDATE SET alias = excluded.alias`, a.ID, a.Alias, t.stamp(a.CreatedAt))
	}
	return wrapf(err, "account %q alias %q", a.ID, a.Alias)
}

// GetAccount returns the account with this id.
func (t *tx) GetAccount(id string) (store.Account, error) {
	a, err := scanAccount(t.row("SELECT id, alias, created_at FROM accounts WHERE id = $1", id))
	return a, wrapf(err, "account %q", id)
}

// ListAccounts returns every account, by id.
func (t *tx) ListAccounts() ([]store.Account, error) {
	out, err := list(t, scanAccount, `SELECT id, alias, created_at FROM accounts ORDER BY id COLLATE "C"`)
	return out, wrapf(err, "list accounts")
}

func scanAccount(r scanner) (store.Account, error) {
	var a store.Account
	var created int64
	if err := r.Scan(&a.ID, &a.Alias, &created); err != nil {
		return store.Account{}, err
	}
	a.CreatedAt = fromMicros(created)
	return a, nil
}
