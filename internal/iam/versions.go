package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// Managed policy versions: at most five per policy, one the default.

type createPolicyVersionResult struct {
	XMLName       xml.Name         `xml:"CreatePolicyVersionResult"`
	PolicyVersion policyVersionXML `xml:"PolicyVersion"`
}

func (s *Service) createPolicyVersion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var (
		doc          string
		setAsDefault bool
	)
	arn, e := s.readPolicyARN(ctx, call, func(in *input) {
		doc = in.document("PolicyDocument", true)
		setAsDefault = in.boolean("SetAsDefault")
	})
	if e != nil {
		return nil, e
	}
	if e := refuseAWSManaged(call, arn); e != nil {
		return nil, e
	}
	if _, e := checkIdentityDocument(doc); e != nil {
		return nil, e
	}
	var (
		v         store.PolicyVersion
		isDefault bool
	)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		v, isDefault, err = addVersion(tx, callerAccount(call), arn, doc, setAsDefault, s.gate.Now())
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	defaultID := ""
	if isDefault {
		defaultID = v.VersionID
	}
	return createPolicyVersionResult{PolicyVersion: toPolicyVersionXML(v, defaultID, false)}, nil
}

// addVersion adds the next version (v<highest+1>) of a policy, making it
// the default when asked, and reports whether it is the default.
func addVersion(tx store.Tx, account, arn, doc string, setAsDefault bool, now time.Time) (store.PolicyVersion, bool, error) {
	quota := limitExceeded("A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", store.MaxPolicyVersions)
	p, err := getPolicy(tx, account, arn)
	if err != nil {
		return store.PolicyVersion{}, false, err
	}
	versions, err := tx.ListPolicyVersions(policyARNOf(p))
	if err != nil {
		return store.PolicyVersion{}, false, err
	}
	if len(versions) >= store.MaxPolicyVersions {
		return store.PolicyVersion{}, false, quota
	}
	v := store.PolicyVersion{PolicyARN: policyARNOf(p), VersionID: "v" + strconv.Itoa(highestVersion(versions)+1), Document: doc, CreatedAt: now}
	if err := tx.CreatePolicyVersion(v); errors.Is(err, store.ErrLimit) {
		return v, false, quota
	} else if err != nil {
		return v, false, err
	}
	// UpdateDate is the date of the newest version, default or not.
	p.UpdatedAt = now
	if setAsDefault {
		p.DefaultVersionID = v.VersionID
	}
	return v, p.DefaultVersionID == v.VersionID, tx.UpdatePolicy(p)
}

// highestVersion is the largest N of the versions vN.
func highestVersion(versions []store.PolicyVersion) int {
	high := 0
	for _, v := range versions {
		if n := versionNumber(v.VersionID); n > high {
			high = n
		}
	}
	return high
}

func versionNumber(id string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "v"))
	if err != nil {
		return 0
	}
	return n
}

type getPolicyVersionResult struct {
	XMLName       xml.Name         `xml:"GetPolicyVersionResult"`
	PolicyVersion policyVersionXML `xml:"PolicyVersion"`
}

// readVersionCall reads PolicyArn and VersionId and authorizes the call.
func (s *Service) readVersionCall(ctx context.Context, call *awsproto.Call) (arn, version string, e *awsproto.Error) {
	arn, e = s.readPolicyARN(ctx, call, func(in *input) {
		version = in.text("VersionId", true, 0, 0, &versionIDPattern)
	})
	return arn, version, e
}

func (s *Service) getPolicyVersion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, version, e := s.readVersionCall(ctx, call)
	if e != nil {
		return nil, e
	}
	var (
		p store.ManagedPolicy
		v store.PolicyVersion
	)
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		p, v, err = findVersion(tx, callerAccount(call), arn, version)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return getPolicyVersionResult{PolicyVersion: toPolicyVersionXML(v, p.DefaultVersionID, true)}, nil
}

// findVersion finds a version of a managed policy the account may use.
func findVersion(tx store.Tx, account, arn, version string) (store.ManagedPolicy, store.PolicyVersion, error) {
	p, err := getPolicy(tx, account, arn)
	if err != nil {
		return p, store.PolicyVersion{}, err
	}
	v, err := tx.GetPolicyVersion(policyARNOf(p), version)
	return p, v, orNotFound(err, noSuchVersion(arn, version))
}

type listPolicyVersionsResult struct {
	XMLName  xml.Name                  `xml:"ListPolicyVersionsResult"`
	Versions members[policyVersionXML] `xml:"Versions"`
	pageXML
}

// listPolicyVersions lists the newest version first, as AWS does.
func (s *Service) listPolicyVersions(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	var req pageRequest
	arn, e := s.readPolicyARN(ctx, call, func(in *input) { req = in.pageRequest() })
	if e != nil {
		return nil, e
	}
	var (
		p        store.ManagedPolicy
		versions []store.PolicyVersion
	)
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if p, err = getPolicy(tx, callerAccount(call), arn); err != nil {
			return err
		}
		versions, err = tx.ListPolicyVersions(policyARNOf(p))
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	page, pg, e := paginate(versions, func(v store.PolicyVersion) string {
		return fmt.Sprintf("%010d", 1<<30-versionNumber(v.VersionID))
	}, req)
	if e != nil {
		return nil, e
	}
	items := convertAll(page, func(v store.PolicyVersion) policyVersionXML {
		return toPolicyVersionXML(v, p.DefaultVersionID, false)
	})
	return listPolicyVersionsResult{Versions: memberList(items), pageXML: pg}, nil
}

func (s *Service) deletePolicyVersion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, version, e := s.readVersionCall(ctx, call)
	if e != nil {
		return nil, e
	}
	if e := refuseAWSManaged(call, arn); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, v, err := findVersion(tx, callerAccount(call), arn, version)
		if err != nil {
			return err
		}
		if v.VersionID == p.DefaultVersionID {
			return deleteConflict("Cannot delete the default version of a policy.")
		}
		return orNotFound(tx.DeletePolicyVersion(policyARNOf(p), v.VersionID), noSuchVersion(arn, version))
	})
	return nil, s.txError(err)
}

func (s *Service) setDefaultPolicyVersion(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	arn, version, e := s.readVersionCall(ctx, call)
	if e != nil {
		return nil, e
	}
	if e := refuseAWSManaged(call, arn); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, v, err := findVersion(tx, callerAccount(call), arn, version)
		if err != nil {
			return err
		}
		p.DefaultVersionID = v.VersionID
		return tx.UpdatePolicy(p)
	})
	return nil, s.txError(err)
}
