package s3

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

// --- Website ---

type websiteConfiguration struct {
	XMLName       xml.Name `xml:"WebsiteConfiguration"`
	IndexDocument *struct {
		Suffix string `xml:"Suffix"`
	} `xml:"IndexDocument"`
	ErrorDocument *struct {
		Key string `xml:"Key"`
	} `xml:"ErrorDocument"`
	RedirectAllRequestsTo *struct {
		HostName string `xml:"HostName"`
		Protocol string `xml:"Protocol"`
	} `xml:"RedirectAllRequestsTo"`
	RoutingRules *struct {
		Rules []struct {
			Redirect *struct {
				Protocol             string  `xml:"Protocol"`
				ReplaceKeyPrefixWith *string `xml:"ReplaceKeyPrefixWith"`
				ReplaceKeyWith       *string `xml:"ReplaceKeyWith"`
			} `xml:"Redirect"`
		} `xml:"RoutingRule"`
	} `xml:"RoutingRules"`
}

var websiteConfig = &bucketConfig{
	op: "BucketWebsite", query: "website", root: "WebsiteConfiguration",
	getAction: "s3:GetBucketWebsite", putAction: "s3:PutBucketWebsite", deleteAction: "s3:DeleteBucketWebsite",
	unset: func(bucket string) *Error {
		return s3Errorf("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration").with("BucketName", bucket)
	},
	validate: validateWebsite,
}

// validateWebsite: an index document, or a redirect of every request
// alone; routing rules each redirecting.
func validateWebsite(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
	var cfg websiteConfiguration
	if e := decodeConfig(body, &cfg); e != nil {
		return false, e
	}
	if r := cfg.RedirectAllRequestsTo; r != nil {
		if cfg.IndexDocument != nil || cfg.ErrorDocument != nil || cfg.RoutingRules != nil {
			return false, errInvalidArgument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing Rules.")
		}
		if r.HostName == "" {
			return false, errMalformedXML()
		}
		if r.Protocol != "" && r.Protocol != "http" && r.Protocol != "https" {
			return false, errInvalidArgument("Invalid protocol, protocol can be http or https. If not defined the protocol will be selected automatically.")
		}
		return false, nil
	}
	if cfg.IndexDocument == nil {
		return false, errInvalidArgument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty")
	}
	if s := cfg.IndexDocument.Suffix; s == "" || strings.Contains(s, "/") {
		return false, errInvalidArgument("The IndexDocument Suffix is not well formed")
	}
	if cfg.ErrorDocument != nil && cfg.ErrorDocument.Key == "" {
		return false, errInvalidArgument("The ErrorDocument Key is not well formed")
	}
	if cfg.RoutingRules != nil {
		for _, rr := range cfg.RoutingRules.Rules {
			if rr.Redirect == nil || (rr.Redirect.ReplaceKeyPrefixWith != nil && rr.Redirect.ReplaceKeyWith != nil) {
				return false, errMalformedXML()
			}
		}
	}
	return false, nil
}

// --- Logging ---

type loggingStatus struct {
	XMLName        xml.Name `xml:"BucketLoggingStatus"`
	Xmlns          string   `xml:"xmlns,attr,omitempty"`
	LoggingEnabled *struct {
		TargetBucket string `xml:"TargetBucket"`
		TargetPrefix string `xml:"TargetPrefix"`
	} `xml:"LoggingEnabled"`
}

var loggingConfig = &bucketConfig{
	op: "BucketLogging", query: "logging", root: "BucketLoggingStatus",
	getAction: "s3:GetBucketLogging", putAction: "s3:PutBucketLogging",
	defaultDoc: func() any { return loggingStatus{Xmlns: xmlns} },
	validate:   validateLogging,
}

// validateLogging: the target bucket must exist and belong to the same
// account; an empty status turns logging off.
func validateLogging(s *Service, req *Request, b store.Bucket, body []byte) (bool, *Error) {
	var cfg loggingStatus
	if e := decodeConfig(body, &cfg); e != nil {
		return false, e
	}
	if cfg.LoggingEnabled == nil {
		return true, nil
	}
	target := cfg.LoggingEnabled.TargetBucket
	if target == "" {
		return false, errMalformedXML()
	}
	invalid := func(msg string) *Error {
		return s3Errorf("InvalidTargetBucketForLogging", "%s", msg).with("TargetBucket", target)
	}
	tb, e := s.bucket(req.HTTP.Context(), target)
	switch {
	case e != nil && e.Code == "NoSuchBucket":
		return false, invalid("The target bucket for logging does not exist")
	case e != nil:
		return false, e
	case tb.Account != b.Account:
		return false, invalid("The owner for the bucket to be logged and the target bucket must be the same.")
	case tb.Region != b.Region:
		return false, s3Errorf("CrossLocationLoggingProhibitted",
			"Cross S3 location logging not allowed.").with("TargetBucketLocation", tb.Region)
	}
	return false, nil
}

// --- Request payment ---

type requestPayment struct {
	XMLName xml.Name `xml:"RequestPaymentConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Payer   string   `xml:"Payer"`
}

var requestPaymentConfig = &bucketConfig{
	op: "BucketRequestPayment", query: "requestPayment", root: "RequestPaymentConfiguration",
	getAction: "s3:GetBucketRequestPayment", putAction: "s3:PutBucketRequestPayment",
	defaultDoc: func() any { return requestPayment{Xmlns: xmlns, Payer: "BucketOwner"} },
	validate: func(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
		var cfg requestPayment
		if e := decodeConfig(body, &cfg); e != nil {
			return false, e
		}
		if cfg.Payer != "BucketOwner" && cfg.Payer != "Requester" {
			return false, errMalformedXML()
		}
		return false, nil
	},
}

// --- Transfer acceleration ---

type accelerateConfiguration struct {
	XMLName xml.Name `xml:"AccelerateConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status,omitempty"`
}

var accelerateConfig = &bucketConfig{
	op: "BucketAccelerateConfiguration", query: "accelerate", root: "AccelerateConfiguration",
	getAction: "s3:GetAccelerateConfiguration", putAction: "s3:PutAccelerateConfiguration", checksumOptional: true,
	defaultDoc: func() any { return accelerateConfiguration{Xmlns: xmlns} },
	validate: func(_ *Service, _ *Request, b store.Bucket, body []byte) (bool, *Error) {
		var cfg accelerateConfiguration
		if e := decodeConfig(body, &cfg); e != nil {
			return false, e
		}
		if cfg.Status != "Enabled" && cfg.Status != "Suspended" {
			return false, errMalformedXML()
		}
		if strings.Contains(b.Name, ".") {
			return false, s3Errorf("InvalidRequest", "S3 Transfer Acceleration is not supported for buckets with periods (.) in their names")
		}
		return false, nil
	},
}

// --- Event notifications ---

type notificationConfiguration struct {
	XMLName xml.Name `xml:"NotificationConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Targets []struct {
		XMLName xml.Name
		Events  []string `xml:"Event"`
	} `xml:",any"`
}

// notificationConfig is stored only: Sekisho delivers no events. An
// empty configuration turns notifications off.
var notificationConfig = &bucketConfig{
	op: "BucketNotificationConfiguration", query: "notification", root: "NotificationConfiguration",
	getAction: "s3:GetBucketNotification", putAction: "s3:PutBucketNotification", checksumOptional: true,
	defaultDoc: func() any { return notificationConfiguration{Xmlns: xmlns} },
	validate: func(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
		var cfg notificationConfiguration
		if e := decodeConfig(body, &cfg); e != nil {
			return false, e
		}
		for _, t := range cfg.Targets {
			switch t.XMLName.Local {
			case "TopicConfiguration", "QueueConfiguration", "CloudFunctionConfiguration":
				if len(t.Events) == 0 {
					return false, errMalformedXML()
				}
			case "EventBridgeConfiguration":
			default:
				return false, errMalformedXML()
			}
			for _, ev := range t.Events {
				if !strings.HasPrefix(ev, "s3:") {
					return false, errInvalidArgument("The event is not supported for notifications")
				}
			}
		}
		return len(cfg.Targets) == 0, nil
	},
}

// --- Object Lock ---

type objectLockConfiguration struct {
	XMLName           xml.Name `xml:"ObjectLockConfiguration"`
	ObjectLockEnabled string   `xml:"ObjectLockEnabled"`
	Rule              *struct {
		DefaultRetention *struct {
			Mode  string `xml:"Mode"`
			Days  *int   `xml:"Days"`
			Years *int   `xml:"Years"`
		} `xml:"DefaultRetention"`
	} `xml:"Rule"`
}

// objectLockConfig is stored; retention and legal holds on objects are
// not enforced.
var objectLockConfig = &bucketConfig{
	op: "ObjectLockConfiguration", query: "object-lock", root: "ObjectLockConfiguration",
	getAction: "s3:GetBucketObjectLockConfiguration", putAction: "s3:PutBucketObjectLockConfiguration",
	unset: func(bucket string) *Error {
		return s3Errorf("ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket").with("BucketName", bucket)
	},
	validate: validateObjectLock,
	needsVersioning: func(string) *Error {
		return s3Errorf("InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration")
	},
}

func validateObjectLock(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
	var cfg objectLockConfiguration
	if e := decodeConfig(body, &cfg); e != nil {
		return false, e
	}
	if cfg.ObjectLockEnabled != "Enabled" {
		return false, errMalformedXML()
	}
	if cfg.Rule == nil {
		return false, nil
	}
	r := cfg.Rule.DefaultRetention
	if r == nil || (r.Mode != "GOVERNANCE" && r.Mode != "COMPLIANCE") || (r.Days == nil) == (r.Years == nil) {
		return false, errMalformedXML()
	}
	if (r.Days != nil && *r.Days <= 0) || (r.Years != nil && *r.Years <= 0) {
		return false, errInvalidArgument("Default retention period must be a positive integer value")
	}
	return false, nil
}

// --- Replication ---

type replicationConfiguration struct {
	XMLName xml.Name `xml:"ReplicationConfiguration"`
	Role    string   `xml:"Role"`
	Rules   []struct {
		ID          string `xml:"ID"`
		Status      string `xml:"Status"`
		Destination *struct {
			Bucket string `xml:"Bucket"`
		} `xml:"Destination"`
	} `xml:"Rule"`
}

// replicationConfig is stored; nothing is replicated.
var replicationConfig = &bucketConfig{
	op: "BucketReplication", query: "replication", root: "ReplicationConfiguration",
	getAction: "s3:GetReplicationConfiguration", putAction: "s3:PutReplicationConfiguration", deleteAction: "s3:PutReplicationConfiguration",
	unset: func(bucket string) *Error {
		return s3Errorf("ReplicationConfigurationNotFoundError", "The replication configuration was not found").with("BucketName", bucket)
	},
	validate: validateReplication,
	needsVersioning: func(bucket string) *Error {
		return s3Errorf("InvalidRequest", "Versioning must be 'Enabled' on the bucket to apply a replication configuration").with("BucketName", bucket)
	},
}

func validateReplication(_ *Service, _ *Request, _ store.Bucket, body []byte) (bool, *Error) {
	var cfg replicationConfiguration
	if e := decodeConfig(body, &cfg); e != nil {
		return false, e
	}
	if cfg.Role == "" || len(cfg.Rules) == 0 || len(cfg.Rules) > maxLifecycleRules {
		return false, errMalformedXML()
	}
	for _, r := range cfg.Rules {
		if (r.Status != "Enabled" && r.Status != "Disabled") || r.Destination == nil || r.Destination.Bucket == "" {
			return false, errMalformedXML()
		}
		if len(r.ID) > 255 {
			return false, errInvalidArgument("ID length should not exceed allowed limit of 255")
		}
		if !strings.HasPrefix(r.Destination.Bucket, "arn:aws:s3:::") {
			return false, errInvalidArgument("Invalid bucket ARN.")
		}
	}
	return false, nil
}

// --- Configuration lists S3 has and Sekisho keeps empty ---

type emptyConfigList struct {
	XMLName     xml.Name
	Xmlns       string `xml:"xmlns,attr"`
	IsTruncated bool   `xml:"IsTruncated"`
}

func (s *Service) listBucketAnalyticsConfigurations(w http.ResponseWriter, req *Request) *Error {
	return s.emptyConfigList(w, req, "s3:GetAnalyticsConfiguration", "ListBucketAnalyticsConfigurationResult")
}

func (s *Service) listBucketMetricsConfigurations(w http.ResponseWriter, req *Request) *Error {
	return s.emptyConfigList(w, req, "s3:GetMetricsConfiguration", "ListMetricsConfigurationsResult")
}

func (s *Service) listBucketInventoryConfigurations(w http.ResponseWriter, req *Request) *Error {
	return s.emptyConfigList(w, req, "s3:GetInventoryConfiguration", "ListInventoryConfigurationsResult")
}

func (s *Service) listBucketIntelligentTieringConfigurations(w http.ResponseWriter, req *Request) *Error {
	return s.emptyConfigList(w, req, "s3:GetIntelligentTieringConfiguration", "ListBucketIntelligentTieringConfigurationsOutput")
}

// emptyConfigList answers a list of configurations with none in it.
func (s *Service) emptyConfigList(w http.ResponseWriter, req *Request, action, root string) *Error {
	if _, e := s.configBucket(req, action); e != nil {
		return e
	}
	writeXML(w, req.RequestID, emptyConfigList{XMLName: xml.Name{Local: root}, Xmlns: xmlns})
	return nil
}
