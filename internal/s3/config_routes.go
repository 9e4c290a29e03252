package s3

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

// ConfigOperation is one bucket configuration operation, a row for the
// operation table: the request method, the query parameter (subresource)
// that selects it on a bucket, the IAM action it is authorized with (on
// the bucket's ARN) and its handler. Preflight (OPTIONS) has no action:
// S3 answers it without authentication, from the CORS configuration.
type ConfigOperation struct {
	Name    string // the S3 API operation name, such as "GetBucketEncryption"
	Method  string
	Query   string // the subresource, such as "encryption"; "" for OPTIONS
	Action  string // the IAM action, such as "s3:GetEncryptionConfiguration"
	Handler func(w http.ResponseWriter, req *Request) *Error
}

// operation is a configuration handler bound to its bucketConfig.
type operation func(w http.ResponseWriter, req *Request) *Error

// serveConfig is the operation table's handler for every row that
// configOperations serves: the row's name picks the bound handler.
func (s *Service) serveConfig(w http.ResponseWriter, req *Request) *Error {
	op, ok := s.configs[req.op.Name]
	if !ok {
		return notImplemented(s, w, req)
	}
	return op(w, req)
}

func (s *Service) configHandlers() map[string]operation {
	m := map[string]operation{}
	for _, c := range s.configOperations() {
		m[c.Name] = c.Handler
	}
	m["PreflightObjectRequest"] = m["PreflightRequest"] // the same answer on an object's path
	return m
}

// configOperations lists the bucket configuration operations this file
// set serves, for the operation table.
func (s *Service) configOperations() []ConfigOperation {
	ops := []ConfigOperation{
		{"PreflightRequest", http.MethodOptions, "", "", s.preflight},
		{"ListBucketAnalyticsConfigurations", http.MethodGet, "analytics", "s3:GetAnalyticsConfiguration", s.listBucketAnalyticsConfigurations},
		{"ListBucketMetricsConfigurations", http.MethodGet, "metrics", "s3:GetMetricsConfiguration", s.listBucketMetricsConfigurations},
		{"ListBucketInventoryConfigurations", http.MethodGet, "inventory", "s3:GetInventoryConfiguration", s.listBucketInventoryConfigurations},
		{"ListBucketIntelligentTieringConfigurations", http.MethodGet, "intelligent-tiering", "s3:GetIntelligentTieringConfiguration", s.listBucketIntelligentTieringConfigurations},
	}
	for _, c := range bucketConfigs {
		ops = append(ops, ConfigOperation{"Get" + c.op, http.MethodGet, c.query, c.getAction, s.configGetter(c)},
			ConfigOperation{"Put" + c.op, http.MethodPut, c.query, c.putAction, s.configPutter(c)})
		if c.deleteAction != "" {
			name := c.deleteOp
			if name == "" {
				name = "Delete" + c.op
			}
			ops = append(ops, ConfigOperation{name, http.MethodDelete, c.query, c.deleteAction, s.configDeleter(c)})
		}
	}
	return ops
}

// bucketConfig is one bucket configuration S3 stores as a document. It
// is kept as one bucket setting, named by its subresource, holding the
// document as given once validated (canonicalized: see canonicalXML), so
// a Put writes that one setting and no other.
type bucketConfig struct {
	op       string // the operation name without Get/Put/Delete
	deleteOp string // the Delete operation's name, when not "Delete"+op
	query    string // the subresource, also the setting's name
	root     string // the document's root element

	getAction, putAction, deleteAction string // deleteAction "": no Delete operation

	// unset is the answer of Get when nothing is stored: an error
	// (NoSuch...), or else (nil) the document defaultDoc gives.
	unset      func(bucket string) *Error
	defaultDoc func() any
	// validate checks a Put's document as S3 does; empty reports a
	// document that unsets the configuration (an empty TagSet).
	validate func(s *Service, req *Request, b store.Bucket, body []byte) (empty bool, e *Error)
	// needsVersioning, when set, refuses a Put unless the bucket's
	// versioning is Enabled, with its error.
	needsVersioning func(bucket string) *Error
	// checksumOptional: S3 takes a Put without Content-MD5 or a checksum
	// (those sent are checked all the same); the others require one.
	checksumOptional bool
	putStatus        int               // 200 unless set
	getHeaders       map[string]string // extra response headers of Get
}

// bucketConfigs are the configurations stored as documents. Their Get
// answers, Put validates and stores, Delete unsets.
var bucketConfigs = []*bucketConfig{
	encryptionConfig, taggingConfig, corsConfig, lifecycleConfig, websiteConfig, loggingConfig,
	requestPaymentConfig, accelerateConfig, notificationConfig, objectLockConfig, replicationConfig,
}

// maxConfigBody bounds a configuration document (S3's largest, a
// lifecycle configuration of 1,000 rules, stays well under it).
const maxConfigBody = 1 << 20

// configGetter answers the configuration, its default, or its NoSuch error.
func (s *Service) configGetter(c *bucketConfig) operation {
	return func(w http.ResponseWriter, req *Request) *Error {
		b, e := s.configBucket(req, c.getAction)
		if e != nil {
			return e
		}
		doc, found, e := s.loadConfig(req, b.Name, c.query)
		switch {
		case e != nil:
			return e
		case found:
			for k, v := range c.getHeaders {
				w.Header().Set(k, v)
			}
			writeRawXML(w, req.RequestID, doc)
		case c.unset != nil:
			return c.unset(b.Name)
		default:
			for k, v := range c.getHeaders {
				w.Header().Set(k, v)
			}
			writeXML(w, req.RequestID, c.defaultDoc())
		}
		return nil
	}
}

// configPutter validates and stores the configuration, writing that one
// setting in a transaction (which also checks versioning where needed).
func (s *Service) configPutter(c *bucketConfig) operation {
	return func(w http.ResponseWriter, req *Request) *Error {
		b, e := s.configBucket(req, c.putAction)
		if e != nil {
			return e
		}
		body, err := io.ReadAll(io.LimitReader(req.Body, maxConfigBody+1))
		if err != nil {
			return readError(err)
		}
		if len(body) > maxConfigBody {
			return errMalformedXML()
		}
		if e := checkConfigDigest(req, body, !c.checksumOptional); e != nil {
			return e
		}
		if e := checkRoot(body, c.root); e != nil {
			return e
		}
		empty, e := c.validate(s, req, b, body)
		if e != nil {
			return e
		}
		doc, err := canonicalXML(body)
		if err != nil {
			return errMalformedXML()
		}
		var refused *Error
		err = s.store.Update(req.HTTP.Context(), func(tx store.Tx) error {
			if c.needsVersioning != nil {
				on, err := versioningEnabled(tx, b.Name)
				if err != nil {
					return err
				}
				if !on {
					refused = c.needsVersioning(b.Name)
					return refused
				}
			}
			if empty {
				err := tx.DeleteBucketSetting(b.Name, c.query)
				if errors.Is(err, store.ErrNotFound) {
					_, err = tx.GetBucket(b.Name) // nothing to unset; is the bucket still there?
				}
				return err
			}
			return tx.PutBucketSetting(b.Name, c.query, doc)
		})
		if refused != nil {
			return refused
		}
		if e := s.storeError(err, b.Name); e != nil {
			return e
		}
		if c.putStatus == http.StatusNoContent {
			noContent(w, req)
			return nil
		}
		okEmpty(w, req)
		return nil
	}
}

// configDeleter unsets the configuration; deleting one not set succeeds
// too, as in S3.
func (s *Service) configDeleter(c *bucketConfig) operation {
	return func(w http.ResponseWriter, req *Request) *Error {
		b, e := s.configBucket(req, c.deleteAction)
		if e != nil {
			return e
		}
		err := s.store.Update(req.HTTP.Context(), func(tx store.Tx) error {
			err := tx.DeleteBucketSetting(b.Name, c.query)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return err
		})
		if e := s.storeError(err, b.Name); e != nil {
			return e
		}
		noContent(w, req)
		return nil
	}
}

// configBucket loads the request's bucket and authorizes action on it,
// as the other bucket subresource operations do (ownership controls):
// the bucket owner's identity policies, and the bucket policy, which
// may grant the action to other accounts.
func (s *Service) configBucket(req *Request, action string) (store.Bucket, *Error) {
	b, e := s.requestBucket(req)
	if e != nil {
		return b, e
	}
	if e := s.authorize(req.HTTP.Context(), req, &b, check{action: action, resource: bucketARN(b.Name)}); e != nil {
		return b, e
	}
	return b, nil
}

// loadConfig reads one stored configuration document.
func (s *Service) loadConfig(req *Request, bucket, name string) (string, bool, *Error) {
	var doc string
	err := s.store.View(req.HTTP.Context(), func(tx store.Tx) error {
		var err error
		doc, err = tx.GetBucketSetting(bucket, name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return "", false, nil
	}
	if e := s.storeError(err, bucket); e != nil {
		return "", false, e
	}
	return doc, true, nil
}

// storeError maps a store failure: a bucket deleted meanwhile is
// NoSuchBucket, an unreachable store ServiceUnavailable.
func (s *Service) storeError(err error, bucket string) *Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return errNoSuchBucket(bucket)
	case errors.Is(err, store.ErrUnavailable):
		return errUnavailable()
	}
	s.log.Error("bucket configuration", "bucket", bucket, "err", err)
	return errInternal()
}

// versioningEnabled reports whether the bucket's versioning is Enabled.
func versioningEnabled(tx store.Tx, bucket string) (bool, error) {
	v, err := readVersioning(tx, bucket)
	return v == blob.VersioningEnabled, err
}

// okEmpty answers 200 with no body, as S3's configuration Puts do.
func okEmpty(w http.ResponseWriter, req *Request) {
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.Header().Set("x-amz-id-2", hostID(req.RequestID))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// writeRawXML writes a 200 response with an XML document already
// marshaled.
func writeRawXML(w http.ResponseWriter, requestID, doc string) {
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID(requestID))
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, xml.Header+doc)
}

// checkRoot: a configuration document must be well-formed XML with this
// root element; anything else is MalformedXML, as S3 answers.
func checkRoot(body []byte, root string) *Error {
	var probe struct{ XMLName xml.Name }
	if xml.Unmarshal(body, &probe) != nil || probe.XMLName.Local != root {
		return errMalformedXML()
	}
	return nil
}

// decodeConfig unmarshals a document checkRoot accepted into v.
func decodeConfig(body []byte, v any) *Error {
	if xml.Unmarshal(body, v) != nil {
		return errMalformedXML()
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// checkConfigDigest checks a Put's Content-MD5 or checksum, as
// DeleteObjects does, and, when required, that one was sent.
func checkConfigDigest(req *Request, body []byte, required bool) *Error {
	if e := checkChecksumHeaders(req.HTTP.Header); e != nil {
		return e
	}
	if required {
		return checkDeleteDigest(req, body)
	}
	e := checkDeleteDigest(req, body)
	if e != nil && e.Code == "BadDigest" {
		return e
	}
	return nil
}
