package s3

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/store"
)

// ConfigFront serves the bucket configuration operations of
// configOperations over st, authenticating as the server does, for the
// SDK tests until the operation table routes them (see
// configRoutedByServer in config_sdk_test.go).
type ConfigFront struct {
	svc      *Service
	verifier *sigv4.Verifier
}

// NewConfigFront returns a front on st (a running server's store).
func NewConfigFront(ctx context.Context, st store.Store) (*ConfigFront, error) {
	sealer, err := access.LoadSealer(ctx, st, time.Now())
	if err != nil {
		return nil, err
	}
	gate := access.NewGate(st, sealer, nil)
	return &ConfigFront{svc: New(st, nil, gate, discardLogger()), verifier: sigv4.NewVerifier(nil)}, nil
}

// ConfigOperations is configOperations, for the tests that walk it.
func (f *ConfigFront) ConfigOperations() []ConfigOperation { return f.svc.configOperations() }

// Serve answers r when it is a configuration operation on a path-style
// bucket URL and reports whether it did.
func (f *ConfigFront) Serve(w http.ResponseWriter, r *http.Request, bucket, key string) bool {
	op := f.match(r.Method, r.URL.Query(), key)
	if op == nil {
		return false
	}
	req := &Request{HTTP: r, RequestID: "CONFIGFRONT00000", Bucket: bucket, Key: key, Body: r.Body, Context: policy.NewContext()}
	auth, err := f.verifier.Parse(r)
	switch {
	case err == nil:
		if e := f.authenticate(r, auth, req); e != nil {
			WriteError(w, r, req.RequestID, e)
			return true
		}
	case sigv4.KindOf(err) != sigv4.KindMissingAuth:
		WriteError(w, r, req.RequestID, errAccessDenied(err.Error()))
		return true
	}
	if e := op(w, req); e != nil {
		WriteError(w, r, req.RequestID, e)
	}
	return true
}

func (f *ConfigFront) authenticate(r *http.Request, auth *sigv4.Auth, req *Request) *Error {
	caller, secret, err := f.svc.gate.Resolve(r.Context(), auth.AccessKeyID, auth.SessionToken)
	if err != nil {
		return newError(http.StatusForbidden, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	}
	if err := f.verifier.Verify(r, auth, secret, ""); err != nil {
		return errAccessDenied(err.Error())
	}
	req.Caller, req.Auth = caller, auth
	switch {
	case auth.Streaming():
		cr := f.verifier.NewChunkedReader(r.Body, auth, secret)
		req.Body = cr
	case len(auth.PayloadHash) == 64:
		req.Body = sigv4.NewPayloadHashReader(r.Body, auth.PayloadHash)
	}
	req.Context.Set("aws:RequestedRegion", auth.Region)
	return nil
}

// match picks the configuration operation of a request, as the operation
// table will: OPTIONS on any bucket or object; the others on buckets by
// method and subresource (a list only without an id).
func (f *ConfigFront) match(method string, q url.Values, key string) operation {
	for _, op := range f.svc.configOperations() {
		switch {
		case op.Method != method:
		case op.Query == "":
			return op.Handler
		case key != "":
		case q.Has(op.Query) && !q.Has("id"):
			return op.Handler
		}
	}
	return nil
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
