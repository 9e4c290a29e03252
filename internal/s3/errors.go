package s3

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Error is an S3 error: REST-XML `<Error>` with the HTTP status.
type Error struct {
	Status  int
	Code    string
	Message string
	// Extra elements S3 adds for some codes (BucketName, Key, Condition, ...).
	Extra map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// errorSpec is an S3 error code's HTTP status and AWS's default message.
type errorSpec struct {
	status  int
	message string
}

// errorCodes is S3's error table: every code Sekisho answers, with its
// status and the message AWS gives when it has nothing more to say.
var errorCodes = map[string]errorSpec{
	"InvalidBucketState":                             {http.StatusConflict, "The request is not valid with the current state of the bucket."},
	"CrossLocationLoggingProhibitted":                {http.StatusForbidden, "Cross S3 location logging not allowed."},
	"InvalidTargetBucketForLogging":                  {http.StatusBadRequest, "The target bucket for logging does not exist"},
	"AccessForbidden":                                {http.StatusForbidden, "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."},
	"AccessControlListNotSupported":                  {http.StatusBadRequest, "The bucket does not allow ACLs"},
	"AccessDenied":                                   {http.StatusForbidden, "Access Denied"},
	"AllAccessDisabled":                              {http.StatusForbidden, "All access to this object has been disabled"},
	"AuthorizationHeaderMalformed":                   {http.StatusBadRequest, "The authorization header you provided is invalid."},
	"BadDigest":                                      {http.StatusBadRequest, "The Content-MD5 you specified did not match what we received."},
	"BadRequest":                                     {http.StatusBadRequest, "Bad Request"},
	"BucketAlreadyExists":                            {http.StatusConflict, "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."},
	"BucketAlreadyOwnedByYou":                        {http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it."},
	"BucketNotEmpty":                                 {http.StatusConflict, "The bucket you tried to delete is not empty"},
	"EntityTooLarge":                                 {http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed size"},
	"EntityTooSmall":                                 {http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed object size."},
	"IllegalLocationConstraintException":             {http.StatusBadRequest, "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."},
	"IllegalVersioningConfigurationException":        {http.StatusBadRequest, "The Versioning element must be specified"},
	"IncompleteBody":                                 {http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
	"InternalError":                                  {http.StatusInternalServerError, "We encountered an internal error. Please try again."},
	"InvalidArgument":                                {http.StatusBadRequest, "Invalid Argument"},
	"InvalidBucketAclWithObjectOwnership":            {http.StatusBadRequest, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"},
	"InvalidBucketName":                              {http.StatusBadRequest, "The specified bucket is not valid."},
	"InvalidBucketOwnerAWSAccountID":                 {http.StatusBadRequest, "The value of the expected bucket owner parameter must be an AWS Account ID..."},
	"InvalidDigest":                                  {http.StatusBadRequest, "The Content-MD5 you specified was invalid."},
	"InvalidLocationConstraint":                      {http.StatusBadRequest, "The specified location-constraint is not valid"},
	"InvalidPart":                                    {http.StatusBadRequest, "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."},
	"InvalidPartOrder":                               {http.StatusBadRequest, "The list of parts was not in ascending order. Parts must be ordered by part number."},
	"InvalidRange":                                   {http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable"},
	"InvalidPartNumber":                              {http.StatusRequestedRangeNotSatisfiable, "The requested partnumber is not satisfiable"},
	"InvalidRequest":                                 {http.StatusBadRequest, "Invalid Request"},
	"MalformedACLError":                              {http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema"},
	"MissingSecurityHeader":                          {http.StatusBadRequest, "Your request was missing a required header"},
	"UnexpectedContent":                              {http.StatusBadRequest, "This request does not support content"},
	"UnresolvableGrantByEmailAddress":                {http.StatusBadRequest, "The e-mail address you provided does not match any account on record."},
	"InvalidStorageClass":                            {http.StatusBadRequest, "The storage class you specified is not valid"},
	"InvalidTag":                                     {http.StatusBadRequest, "The tag provided was not a valid tag."},
	"KeyTooLongError":                                {http.StatusBadRequest, "Your key is too long"},
	"MalformedPolicy":                                {http.StatusBadRequest, "Policies must be valid JSON and the first byte must be '{'"},
	"MalformedXML":                                   {http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema."},
	"MethodNotAllowed":                               {http.StatusMethodNotAllowed, "The specified method is not allowed against this resource."},
	"NoSuchBucket":                                   {http.StatusNotFound, "The specified bucket does not exist"},
	"NoSuchBucketPolicy":                             {http.StatusNotFound, "The bucket policy does not exist"},
	"NoSuchCORSConfiguration":                        {http.StatusNotFound, "The CORS configuration does not exist"},
	"NoSuchKey":                                      {http.StatusNotFound, "The specified key does not exist."},
	"NoSuchLifecycleConfiguration":                   {http.StatusNotFound, "The lifecycle configuration does not exist"},
	"NoSuchPublicAccessBlockConfiguration":           {http.StatusNotFound, "The public access block configuration was not found"},
	"NoSuchTagSet":                                   {http.StatusNotFound, "The TagSet does not exist"},
	"NoSuchUpload":                                   {http.StatusNotFound, "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."},
	"NoSuchVersion":                                  {http.StatusNotFound, "The specified version does not exist."},
	"NoSuchWebsiteConfiguration":                     {http.StatusNotFound, "The specified bucket does not have a website configuration"},
	"NotImplemented":                                 {http.StatusNotImplemented, "A header you provided implies functionality that is not implemented"},
	"ObjectLockConfigurationNotFoundError":           {http.StatusNotFound, "Object Lock configuration does not exist for this bucket"},
	"OwnershipControlsNotFoundError":                 {http.StatusNotFound, "The bucket ownership controls were not found"},
	"PolicyTooLarge":                                 {http.StatusBadRequest, "Policy exceeds the maximum allowed document size."},
	"PreconditionFailed":                             {http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold"},
	"ReplicationConfigurationNotFoundError":          {http.StatusNotFound, "The replication configuration was not found"},
	"ServerSideEncryptionConfigurationNotFoundError": {http.StatusNotFound, "The server side encryption configuration was not found"},
	"ServiceUnavailable":                             {http.StatusServiceUnavailable, "Please reduce your request rate."},
	"SignatureDoesNotMatch":                          {http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	"UserKeyMustBeSpecified":                         {http.StatusBadRequest, "The bucket POST must contain the specified field name. If it is specified, check the order of the fields."},
	"XAmzContentSHA256Mismatch":                      {http.StatusBadRequest, "The provided 'x-amz-content-sha256' header does not match what was computed."},
}

// s3Error is the error for code, with AWS's default message. A code
// missing from errorCodes is a programming error (TestErrorCodesKnown
// pins that none is); it answers InternalError rather than a made-up status.
func s3Error(code string) *Error {
	spec, ok := errorCodes[code]
	if !ok {
		spec, code = errorCodes["InternalError"], "InternalError"
	}
	return &Error{Status: spec.status, Code: code, Message: spec.message}
}

// s3Errorf is code's error with a message of its own, where AWS's message
// carries details (names, sizes, regions).
func s3Errorf(code, format string, args ...any) *Error {
	e := s3Error(code)
	if e.Code == code {
		e.Message = fmt.Sprintf(format, args...)
	}
	return e
}

func (e *Error) with(name, value string) *Error {
	if e.Extra == nil {
		e.Extra = map[string]string{}
	}
	e.Extra[name] = value
	return e
}

func errNoSuchBucket(bucket string) *Error {
	return s3Error("NoSuchBucket").with("BucketName", bucket)
}

func errNoSuchKey(key string) *Error {
	return s3Error("NoSuchKey").with("Key", key)
}

func errAccessDenied(message string) *Error {
	return s3Errorf("AccessDenied", "%s", message)
}

func errMalformedXML() *Error { return s3Error("MalformedXML") }

func errInternal() *Error { return s3Error("InternalError") }

// errUnavailable answers while the store cannot be reached; clients retry it.
func errUnavailable() *Error { return s3Error("ServiceUnavailable") }

func errInvalidArgument(format string, args ...any) *Error {
	return s3Errorf("InvalidArgument", format, args...)
}

func errMethodNotAllowed() *Error { return s3Error("MethodNotAllowed") }

// errNotImplemented is S3's NotImplemented, whose message names nothing;
// what says, for the reader of the call, what is missing.
func errNotImplemented(what string) *Error {
	_ = what
	return s3Error("NotImplemented")
}

// WriteError writes the S3 error document (no body for HEAD).
func WriteError(w http.ResponseWriter, r *http.Request, requestID string, e *Error) {
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID(requestID))
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	var b []byte
	b = append(b, xml.Header...)
	b = append(b, "<Error><Code>"...)
	b = appendErrorFields(b, e)
	b = append(b, "<RequestId>"...)
	b = append(b, requestID...)
	b = append(b, "</RequestId><HostId>"...)
	b = append(b, hostID(requestID)...)
	b = append(b, "</HostId></Error>"...)
	_, _ = w.Write(b)
}

func appendEscaped(b []byte, s string) []byte {
	var buf xmlBuffer
	_ = xml.EscapeText(&buf, []byte(s))
	return append(b, buf...)
}

type xmlBuffer []byte

func (x *xmlBuffer) Write(p []byte) (int, error) {
	*x = append(*x, p...)
	return len(p), nil
}

// hostID is the x-amz-id-2 S3 pairs with each request id.
func hostID(requestID string) string {
	return "sekisho/" + requestID
}

// writeXML writes a 200 response with an XML document.
func writeXML(w http.ResponseWriter, requestID string, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID(requestID))
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}

// httpTime formats Last-Modified style dates.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// isoTime formats dates inside XML documents.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// appendErrorFields appends the inside of an S3 error element: Code,
// Message and the error's extra fields, in name order.
func appendErrorFields(b []byte, e *Error) []byte {
	b = appendEscaped(b, e.Code)
	b = append(b, "</Code><Message>"...)
	b = appendEscaped(b, e.Message)
	b = append(b, "</Message>"...)
	for _, name := range sortedKeys(e.Extra) {
		b = append(b, '<')
		b = append(b, name...)
		b = append(b, '>')
		b = appendEscaped(b, e.Extra[name])
		b = append(b, "</"...)
		b = append(b, name...)
		b = append(b, '>')
	}
	return b
}
