package sqlstore

import "github.com/sekisho/sekisho/internal/store"

// PutAccount creates the account or updates its alias (keeping CreatedAt).
// Aliases other than "" are unique: a taken one gives store.ErrExists.
func (t *Tx) PutAccount(a store.Account) error {
	if err := Required("put account", "ID", a.ID); err != nil {
		return err
	}
	var err error
	if t.d.CheckFirst {
		// Rather than fail on the unique alias, which would abort the
		// transaction.
		var taken bool
		taken, err = t.exists("SELECT 1 FROM accounts WHERE alias = ? AND alias <> '' AND id <> ?", a.Alias, a.ID)
		if err == nil && taken {
			err = store.ErrExists
		}
	}
	if err == nil {
		_, err = t.exec(`INSERT INTO accounts (id, alias, created_at) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET alias = excluded.alias`, a.ID, a.Alias, t.stamp(a.CreatedAt))
	}
	return t.wrapf(err, "account %q alias %q", a.ID, a.Alias)
}

// GetAccount returns the account with this id.
func (t *Tx) GetAccount(id string) (store.Account, error) {
	a, err := scanAccount(t.row("SELECT id, alias, created_at FROM accounts WHERE id = ?", id))
	return a, t.wrapf(err, "account %q", id)
}

// ListAccounts returns every account, by id.
func (t *Tx) ListAccounts() ([]store.Account, error) {
	out, err := list(t, scanAccount, `SELECT id, alias, created_at FROM accounts ORDER BY id{C}`)
	return out, t.wrapf(err, "list accounts")
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
