package world_test

import (
	"context"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/saml"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/world"
)

func TestSAMLProvidersFromWorld(t *testing.T) {
	st := memoryStore(t)
	idp, err := saml.NewIdP("https://idp.corp.example", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: idp.Certificate().Raw}))
	certB64 := base64.StdEncoding.EncodeToString(idp.Certificate().Raw)
	w, err := world.Parse([]byte(`
accounts:
  - id: "333333333333"
    saml_providers:
      - name: builtin
        builtin: true
      - name: corp
        entity_id: https://idp.corp.example
        tags: {team: id}
        certificates: [` + certB64 + `]
      - name: pem
        entity_id: https://idp.corp.example
        certificates:
          - |
            ` + strings.ReplaceAll(strings.TrimSpace(certPEM), "\n", "\n            ") + `
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := world.Load(context.Background(), st, w); err != nil {
		t.Fatal(err)
	}
	update(t, st, func(tx store.Tx) error {
		corp, err := tx.GetSAMLProvider("arn:aws:iam::333333333333:saml-provider/corp")
		if err != nil {
			return err
		}
		md, err := saml.ParseMetadata(corp.Metadata)
		if err != nil || md.EntityID != "https://idp.corp.example" || !md.Certificates[0].Equal(idp.Certificate()) || len(corp.Tags) != 1 {
			t.Fatalf("corp provider: %+v, %v", md, err)
		}
		if _, err := tx.GetSAMLProvider("arn:aws:iam::333333333333:saml-provider/pem"); err != nil {
			return err
		}
		builtin, err := tx.GetSAMLProvider("arn:aws:iam::333333333333:saml-provider/builtin")
		if err != nil {
			return err
		}
		// The built-in IdP's key is in the store: the provider trusts it.
		key, err := saml.BuiltinIdP(tx, time.Now())
		if err != nil {
			return err
		}
		if builtin.Metadata != key.MetadataXML() {
			t.Fatal("built-in provider's metadata is not the stored IdP's")
		}
		return nil
	})
}

func TestSAMLProviderNeedsOneSource(t *testing.T) {
	w, err := world.Parse([]byte(`
accounts:
  - id: "333333333333"
    saml_providers:
      - name: both
        builtin: true
        metadata: "<x/>"
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := world.Load(context.Background(), memoryStore(t), w); err == nil || !strings.Contains(err.Error(), "exactly one") {
		t.Fatalf("Load: %v", err)
	}
}
