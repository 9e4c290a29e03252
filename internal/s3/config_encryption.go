package s3

import (
	"encoding/xml"
	"slices"

	"github.com/sekisho/sekisho/internal/store"
)

// Server-side encryption algorithms of a bucket's default encryption.
const (
	sseAES256  = "AES256"
	sseKMS     = "aws:kms"
	sseKMSDSSE = "aws:kms:dsse"
)

type sseByDefault struct {
	SSEAlgorithm   string `xml:"SSEAlgorithm"`
	KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
}

type sseRule struct {
	Apply            *sseByDefault `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled *bool         `xml:"BucketKeyEnabled"`
	Blocked          *struct {
		Types []string `xml:"EncryptionType"`
	} `xml:"BlockedEncryptionTypes"`
}

type sseConfiguration struct {
	XMLName xml.Name  `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string    `xml:"xmlns,attr,omitempty"`
	Rules   []sseRule `xml:"Rule"`
}

// encryptionConfig is the bucket's default encryption. Every bucket has
// one since 2023: SSE-S3 (AES256) unless set otherwise, and Delete goes
// back to it.
var encryptionConfig = &bucketConfig{
	op: "BucketEncryption", query: "encryption", root: "ServerSideEncryptionConfiguration",
	getAction: "s3:GetEncryptionConfiguration", putAction: "s3:PutEncryptionConfiguration", deleteAction: "s3:PutEncryptionConfiguration",
	defaultDoc: defaultEncryption,
	validate:   validateEncryption,
}

func defaultEncryption() any {
	off := false
	return sseConfiguration{Xmlns: xmlns, Rules: []sseRule{{Apply: &sseByDefault{SSEAlgorithm: sseAES256}, BucketKeyEnabled: &off}}}
}

// validateEncryption: one rule with a known algorithm; a KMS key only
// with a KMS algorithm.
func validateEncryption(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
	var cfg sseConfiguration
	if e := decodeConfig(body, &cfg); e != nil {
		return false, e
	}
	if len(cfg.Rules) != 1 || cfg.Rules[0].Apply == nil {
		return false, errMalformedXML()
	}
	apply := cfg.Rules[0].Apply
	switch apply.SSEAlgorithm {
	case sseKMS, sseKMSDSSE:
	case sseAES256:
		if apply.KMSMasterKeyID != "" {
			return false, errInvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
		}
	default:
		return false, errMalformedXML()
	}
	return false, nil
}

// DefaultEncryption is a bucket's effective default encryption, for the
// object operations (x-amz-server-side-encryption on responses, and the
// s3:x-amz-server-side-encryption condition key).
type DefaultEncryption struct {
	Algorithm        string // AES256, aws:kms or aws:kms:dsse
	KMSKeyID         string // "" unless set with a KMS algorithm
	BucketKeyEnabled bool
	// SSECAllowed: the configuration's BlockedEncryptionTypes is NONE.
	// S3 blocks SSE-C uploads by default since April 2026 (in new buckets,
	// and in existing ones holding no SSE-C object, as none here can).
	SSECAllowed bool
}

// bucketEncryption returns the bucket's default encryption: SSE-S3
// unless configured.
func bucketEncryption(tx store.Tx, bucket string) (DefaultEncryption, error) {
	def := DefaultEncryption{Algorithm: sseAES256}
	doc, err := tx.GetBucketSetting(bucket, encryptionConfig.query)
	if err != nil {
		if isNotFound(err) {
			return def, nil
		}
		return def, err
	}
	var cfg sseConfiguration
	if xml.Unmarshal([]byte(doc), &cfg) != nil || len(cfg.Rules) == 0 || cfg.Rules[0].Apply == nil {
		return def, nil
	}
	r := cfg.Rules[0]
	out := DefaultEncryption{Algorithm: r.Apply.SSEAlgorithm, KMSKeyID: r.Apply.KMSMasterKeyID}
	if r.BucketKeyEnabled != nil {
		out.BucketKeyEnabled = *r.BucketKeyEnabled
	}
	out.SSECAllowed = r.Blocked != nil && slices.Contains(r.Blocked.Types, "NONE")
	return out, nil
}
