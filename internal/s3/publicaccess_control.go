package s3

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

// The account-level Block Public Access of S3 Control: PUT, GET and
// DELETE /v20180820/configuration/publicAccessBlock with the account in
// x-amz-account-id, signed for the s3 service. S3 Control answers errors
// wrapped in <ErrorResponse>, unlike S3.

// ControlPathPrefix starts every S3 Control API path.
const ControlPathPrefix = "/v20180820/"

const (
	controlPublicAccessBlockPath = ControlPathPrefix + "configuration/publicAccessBlock"
	controlXmlns                 = "http://awss3control.amazonaws.com/doc/2018-08-20/"
)

// IsControlRequest tells an S3 Control API request, which the server
// routes here whatever the Host (SDKs put the account id in front of a
// custom endpoint's host): its path and the x-amz-account-id header every
// S3 Control operation carries. The header keeps a path-style request for
// a bucket named "v20180820" an S3 request.
func IsControlRequest(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, ControlPathPrefix) && r.Header.Get("x-amz-account-id") != ""
}

// ServeControl answers one S3 Control request.
func (s *Service) ServeControl(w http.ResponseWriter, req *Request) {
	if e := s.serveControl(w, req); e != nil {
		if e.Status >= 500 {
			s.log.Error("s3 control error", "request_id", req.RequestID, "code", e.Code, "message", e.Message)
		}
		WriteControlError(w, req.HTTP, req.RequestID, e)
	}
}

func (s *Service) serveControl(w http.ResponseWriter, req *Request) *Error {
	if req.HTTP.URL.Path != controlPublicAccessBlockPath {
		return &Error{Status: http.StatusNotFound, Code: "NotImplemented", Message: "This S3 Control operation is not implemented"}
	}
	var action string
	switch req.HTTP.Method {
	case http.MethodGet:
		action = "s3:GetAccountPublicAccessBlock"
	case http.MethodPut, http.MethodDelete:
		action = "s3:PutAccountPublicAccessBlock"
	default:
		return errMethodNotAllowed()
	}
	account := req.HTTP.Header.Get("x-amz-account-id") // IsControlRequest: never empty
	// Only the account's own principals manage its settings; no policy
	// of another account can grant it.
	if req.Caller == nil || req.Caller.Principal.Account != account {
		return errAccessDenied("Access Denied")
	}
	if e := s.authorize(req.HTTP.Context(), req, nil, check{action: action, resource: "*"}); e != nil {
		return e
	}
	switch req.HTTP.Method {
	case http.MethodGet:
		return s.getAccountPublicAccessBlock(w, req, account)
	case http.MethodPut:
		return s.putAccountPublicAccessBlock(w, req, account)
	}
	return s.deleteAccountPublicAccessBlock(w, req, account)
}

func (s *Service) getAccountPublicAccessBlock(w http.ResponseWriter, req *Request, account string) *Error {
	var doc string
	err := s.store.View(req.HTTP.Context(), func(tx store.Tx) error {
		var err error
		doc, err = tx.GetSetting(accountPublicAccessBlockKey(account))
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return s.storeError(err, "")
	}
	c, decodeErr := decodePublicAccessBlock(doc)
	if err != nil || doc == "" || decodeErr != nil {
		return s3Error("NoSuchPublicAccessBlockConfiguration").with("AccountId", account)
	}
	c.Xmlns = controlXmlns
	writeXML(w, req.RequestID, c)
	return nil
}

func (s *Service) putAccountPublicAccessBlock(w http.ResponseWriter, req *Request, account string) *Error {
	c, e := readPublicAccessBlock(req, false)
	if e != nil {
		return e
	}
	err := s.store.Update(req.HTTP.Context(), func(tx store.Tx) error {
		return tx.PutSetting(accountPublicAccessBlockKey(account), c.encode())
	})
	if e := s.storeError(err, ""); e != nil {
		return e
	}
	okEmpty(w, req)
	return nil
}

// deleteAccountPublicAccessBlock stores the empty value: the store keeps
// settings without a delete, and empty reads as unset.
func (s *Service) deleteAccountPublicAccessBlock(w http.ResponseWriter, req *Request, account string) *Error {
	err := s.store.Update(req.HTTP.Context(), func(tx store.Tx) error {
		return tx.PutSetting(accountPublicAccessBlockKey(account), "")
	})
	if e := s.storeError(err, ""); e != nil {
		return e
	}
	noContent(w, req)
	return nil
}

// WriteControlError writes S3 Control's error document:
// <ErrorResponse><Error><Code/><Message/>…</Error><RequestId/><HostId/></ErrorResponse>.
func WriteControlError(w http.ResponseWriter, r *http.Request, requestID string, e *Error) {
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID(requestID))
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	b := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<ErrorResponse><Error><Code>")
	b = appendErrorFields(b, e)
	b = append(b, "</Error><RequestId>"...)
	b = appendEscaped(b, requestID)
	b = append(b, "</RequestId><HostId>"...)
	b = appendEscaped(b, hostID(requestID))
	b = append(b, "</HostId></ErrorResponse>"...)
	_, _ = w.Write(b)
}
