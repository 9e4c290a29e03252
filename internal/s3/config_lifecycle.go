package s3

import (
	"encoding/xml"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// maxLifecycleRules is S3's limit on a lifecycle configuration.
const maxLifecycleRules = 1000

type lifecycleAnd struct {
	Prefix                *string  `xml:"Prefix"`
	Tags                  []tagXML `xml:"Tag"`
	ObjectSizeGreaterThan *int64   `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64   `xml:"ObjectSizeLessThan"`
}

type lifecycleFilter struct {
	Prefix                *string       `xml:"Prefix"`
	Tag                   *tagXML       `xml:"Tag"`
	And                   *lifecycleAnd `xml:"And"`
	ObjectSizeGreaterThan *int64        `xml:"ObjectSizeGreaterThan"`
	ObjectSizeLessThan    *int64        `xml:"ObjectSizeLessThan"`
}

type lifecycleExpiration struct {
	Date                      *string `xml:"Date"`
	Days                      *int    `xml:"Days"`
	ExpiredObjectDeleteMarker *bool   `xml:"ExpiredObjectDeleteMarker"`
}

type lifecycleTransition struct {
	Date         *string `xml:"Date"`
	Days         *int    `xml:"Days"`
	StorageClass string  `xml:"StorageClass"`
}

type noncurrentExpiration struct {
	NoncurrentDays          *int `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int `xml:"NewerNoncurrentVersions"`
}

type noncurrentTransition struct {
	NoncurrentDays          *int   `xml:"NoncurrentDays"`
	NewerNoncurrentVersions *int   `xml:"NewerNoncurrentVersions"`
	StorageClass            string `xml:"StorageClass"`
}

type abortIncompleteUpload struct {
	DaysAfterInitiation *int `xml:"DaysAfterInitiation"`
}

type lifecycleRule struct {
	ID                             string                 `xml:"ID"`
	Prefix                         *string                `xml:"Prefix"` // the deprecated form of Filter
	Filter                         *lifecycleFilter       `xml:"Filter"`
	Status                         string                 `xml:"Status"`
	Expiration                     *lifecycleExpiration   `xml:"Expiration"`
	Transitions                    []lifecycleTransition  `xml:"Transition"`
	NoncurrentVersionExpiration    *noncurrentExpiration  `xml:"NoncurrentVersionExpiration"`
	NoncurrentVersionTransitions   []noncurrentTransition `xml:"NoncurrentVersionTransition"`
	AbortIncompleteMultipartUpload *abortIncompleteUpload `xml:"AbortIncompleteMultipartUpload"`
}

type lifecycleConfiguration struct {
	XMLName xml.Name        `xml:"LifecycleConfiguration"`
	Rules   []lifecycleRule `xml:"Rule"`
}

var lifecycleConfig = &bucketConfig{
	op: "BucketLifecycleConfiguration", deleteOp: "DeleteBucketLifecycle", query: "lifecycle", root: "LifecycleConfiguration",
	getAction: "s3:GetLifecycleConfiguration", putAction: "s3:PutLifecycleConfiguration", deleteAction: "s3:PutLifecycleConfiguration",
	unset: func(bucket string) *Error {
		return s3Errorf("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist").with("BucketName", bucket)
	},
	validate: validateLifecycle,
	// S3 names the default minimum size of objects that transition.
	getHeaders: map[string]string{"x-amz-transition-default-minimum-object-size": "all_storage_classes_128K"},
}

// validateLifecycle checks the rules as S3 does: MalformedXML for what
// its schema refuses, InvalidArgument or InvalidRequest for the rest.
func validateLifecycle(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
	var cfg lifecycleConfiguration
	if e := decodeConfig(body, &cfg); e != nil {
		return false, e
	}
	if len(cfg.Rules) == 0 || len(cfg.Rules) > maxLifecycleRules {
		return false, errMalformedXML()
	}
	ids := make(map[string]bool, len(cfg.Rules))
	for i := range cfg.Rules {
		r := &cfg.Rules[i]
		if e := validateLifecycleRule(r); e != nil {
			return false, e
		}
		if r.ID != "" && ids[r.ID] {
			return false, errInvalidArgument("Rule ID must be unique. Found same ID for more than one rule")
		}
		ids[r.ID] = true
	}
	return false, nil
}

func validateLifecycleRule(r *lifecycleRule) *Error {
	if len(r.ID) > 255 {
		return errInvalidArgument("ID length should not exceed allowed limit of 255")
	}
	if r.Status != "Enabled" && r.Status != "Disabled" {
		return errMalformedXML()
	}
	if (r.Prefix == nil) == (r.Filter == nil) { // exactly one of them
		return errMalformedXML()
	}
	hasTags := false
	if f := r.Filter; f != nil {
		if countSet(f.Prefix != nil, f.Tag != nil, f.And != nil, f.ObjectSizeGreaterThan != nil, f.ObjectSizeLessThan != nil) > 1 {
			return errMalformedXML()
		}
		hasTags = f.Tag != nil || (f.And != nil && len(f.And.Tags) > 0)
	}
	if r.Expiration == nil && len(r.Transitions) == 0 && r.NoncurrentVersionExpiration == nil &&
		len(r.NoncurrentVersionTransitions) == 0 && r.AbortIncompleteMultipartUpload == nil {
		return s3Errorf("InvalidRequest", "At least one action needs to be specified in a rule")
	}
	if e := validateExpiration(r.Expiration); e != nil {
		return e
	}
	if x := r.NoncurrentVersionExpiration; x != nil && (x.NoncurrentDays == nil || *x.NoncurrentDays <= 0) {
		return errInvalidArgument("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
	}
	if a := r.AbortIncompleteMultipartUpload; a != nil {
		if a.DaysAfterInitiation == nil || *a.DaysAfterInitiation <= 0 {
			return errInvalidArgument("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
		}
		if hasTags {
			return s3Errorf("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.")
		}
	}
	for _, t := range r.Transitions {
		if (t.Days == nil) == (t.Date == nil) || !transitionClass(t.StorageClass) {
			return errMalformedXML()
		}
		if t.Days != nil && *t.Days < 0 {
			return errInvalidArgument("'Days' in Transition action must be nonnegative")
		}
		if t.Date != nil && !midnightUTC(*t.Date) {
			return errInvalidArgument("'Date' must be at midnight GMT")
		}
	}
	for _, t := range r.NoncurrentVersionTransitions {
		if t.NoncurrentDays == nil || !transitionClass(t.StorageClass) {
			return errMalformedXML()
		}
	}
	return nil
}

// validateExpiration: Days (positive), Date (midnight UTC) or
// ExpiredObjectDeleteMarker, exactly one.
func validateExpiration(x *lifecycleExpiration) *Error {
	if x == nil {
		return nil
	}
	if countSet(x.Days != nil, x.Date != nil, x.ExpiredObjectDeleteMarker != nil) != 1 {
		return errMalformedXML()
	}
	if x.Days != nil && *x.Days <= 0 {
		return errInvalidArgument("'Days' for Expiration action must be a positive integer")
	}
	if x.Date != nil && !midnightUTC(*x.Date) {
		return errInvalidArgument("'Date' must be at midnight GMT")
	}
	return nil
}

// midnightUTC reports whether an ISO 8601 date-time is a midnight UTC.
func midnightUTC(v string) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			t = t.UTC()
			return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
		}
	}
	return false
}

func transitionClass(c string) bool {
	switch c {
	case "GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR":
		return true
	}
	return false
}

func countSet(flags ...bool) int {
	n := 0
	for _, f := range flags {
		if f {
			n++
		}
	}
	return n
}
