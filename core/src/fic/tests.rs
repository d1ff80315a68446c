//! Tests of Graph's write-time FIC rules and their error envelopes.

use proptest::prelude::*;

use super::*;
use crate::graph_error::GraphRequestId;
use crate::ids::Guid;
use crate::time::UnixTime;

const ISSUER: &str = "https://login.microsoftonline.com/3d1e2be9-a10a-4a0c-8380-7ce190f98ed9/v2.0";
const SUBJECT: &str = "a7d388c3-5e3f-4959-ac7d-786b3383006a";
const EXCHANGE: &str = "api://AzureADTokenExchange";

fn draft() -> FicDraft {
    FicDraft {
        id: None,
        name: Some("testing02".into()),
        issuer: Some(ISSUER.into()),
        subject: Some(SUBJECT.into()),
        audiences: Some(vec![EXCHANGE.into()]),
        description: None,
        claims_matching_expression: None,
    }
}

fn fic(n: u128, name: &str, issuer: &str, subject: &str) -> FederatedIdentityCredential {
    FederatedIdentityCredential {
        id: ObjectId::from_u128(n),
        name: name.into(),
        issuer: issuer.into(),
        subject: subject.into(),
        audiences: vec![EXCHANGE.into()],
        description: None,
        claims_matching_expression: None,
        created_at: None,
    }
}

fn create_err(d: FicDraft) -> FicError {
    validate_create(&d, &[]).unwrap_err()
}

#[test]
fn the_graph_documentation_example_is_accepted() {
    let new = validate_create(&draft(), &[]).unwrap();
    let stored = new.with_id(ObjectId::from_u128(0xd9b7bf1e));
    assert_eq!(stored.audiences, vec![EXCHANGE.to_owned()]);
    assert_eq!(stored.name, "testing02");
}

#[test]
fn each_required_property_missing_or_empty_is_refused() {
    assert_eq!(
        create_err(FicDraft {
            name: None,
            ..draft()
        }),
        FicError::Missing(Field::Name)
    );
    assert_eq!(
        create_err(FicDraft {
            issuer: Some(String::new()),
            ..draft()
        }),
        FicError::Missing(Field::Issuer)
    );
    assert_eq!(
        create_err(FicDraft {
            subject: None,
            ..draft()
        }),
        FicError::Missing(Field::Subject)
    );
    assert_eq!(
        create_err(FicDraft {
            audiences: None,
            ..draft()
        }),
        FicError::Missing(Field::Audiences)
    );
    assert_eq!(
        create_err(FicDraft {
            audiences: Some(vec![]),
            ..draft()
        }),
        FicError::Missing(Field::Audiences)
    );
    assert_eq!(
        create_err(FicDraft {
            audiences: Some(vec![String::new()]),
            ..draft()
        }),
        FicError::Missing(Field::Audiences)
    );
}

#[test]
fn names_must_be_3_to_120_characters() {
    assert_eq!(
        create_err(FicDraft {
            name: Some("ab".into()),
            ..draft()
        }),
        FicError::NameLength {
            name: "ab".into(),
            len: 2
        }
    );
    assert_eq!(
        create_err(FicDraft {
            name: Some("a".repeat(121)),
            ..draft()
        }),
        FicError::NameLength {
            name: "a".repeat(121),
            len: 121
        }
    );
    assert!(
        validate_create(
            &FicDraft {
                name: Some("abc".into()),
                ..draft()
            },
            &[]
        )
        .is_ok()
    );
    assert!(
        validate_create(
            &FicDraft {
                name: Some("a".repeat(120)),
                ..draft()
            },
            &[]
        )
        .is_ok()
    );
}

#[test]
fn names_are_url_friendly_and_start_alphanumeric() {
    assert_eq!(
        create_err(FicDraft {
            name: Some("my app".into()),
            ..draft()
        }),
        FicError::NameNotUrlFriendly {
            name: "my app".into()
        }
    );
    assert_eq!(
        create_err(FicDraft {
            name: Some("a/b.c".into()),
            ..draft()
        }),
        FicError::NameNotUrlFriendly {
            name: "a/b.c".into()
        }
    );
    assert_eq!(
        create_err(FicDraft {
            name: Some("-abc".into()),
            ..draft()
        }),
        FicError::NameFirstCharNotAlphanumeric {
            name: "-abc".into()
        }
    );
    assert_eq!(
        create_err(FicDraft {
            name: Some("_abc".into()),
            ..draft()
        }),
        FicError::NameFirstCharNotAlphanumeric {
            name: "_abc".into()
        }
    );
    assert!(
        validate_create(
            &FicDraft {
                name: Some("9my-app_fic".into()),
                ..draft()
            },
            &[]
        )
        .is_ok()
    );
}

#[test]
fn exactly_one_audience_is_allowed() {
    let two = FicDraft {
        audiences: Some(vec![EXCHANGE.into(), "api://other".into()]),
        ..draft()
    };
    assert_eq!(create_err(two), FicError::AudienceCount { count: 2 });
}

#[test]
fn issuer_subject_audience_and_description_stop_at_600_characters() {
    let long = "x".repeat(601);
    assert_eq!(
        create_err(FicDraft {
            issuer: Some(long.clone()),
            ..draft()
        }),
        FicError::TooLong {
            field: Field::Issuer,
            len: 601
        }
    );
    assert_eq!(
        create_err(FicDraft {
            subject: Some(long.clone()),
            ..draft()
        }),
        FicError::TooLong {
            field: Field::Subject,
            len: 601
        }
    );
    assert_eq!(
        create_err(FicDraft {
            audiences: Some(vec![long.clone()]),
            ..draft()
        }),
        FicError::TooLong {
            field: Field::Audiences,
            len: 601
        }
    );
    assert_eq!(
        create_err(FicDraft {
            description: Some(long),
            ..draft()
        }),
        FicError::TooLong {
            field: Field::Description,
            len: 601
        }
    );
    assert!(
        validate_create(
            &FicDraft {
                description: Some("d".repeat(600)),
                ..draft()
            },
            &[]
        )
        .is_ok()
    );
}

#[test]
fn lengths_count_utf16_units_like_dotnet() {
    // 300 astral characters are 600 UTF-16 units: allowed; 301 are 602: refused.
    let ok = "😀".repeat(300);
    assert!(
        validate_create(
            &FicDraft {
                description: Some(ok),
                ..draft()
            },
            &[]
        )
        .is_ok()
    );
    let too_long = "😀".repeat(301);
    assert_eq!(
        create_err(FicDraft {
            description: Some(too_long),
            ..draft()
        }),
        FicError::TooLong {
            field: Field::Description,
            len: 602
        }
    );
}

#[test]
fn wildcards_are_refused_in_issuer_subject_and_audience() {
    assert_eq!(
        create_err(FicDraft {
            subject: Some("repo:contoso/*".into()),
            ..draft()
        }),
        FicError::Wildcard(Field::Subject)
    );
    assert_eq!(
        create_err(FicDraft {
            issuer: Some("https://*.example".into()),
            ..draft()
        }),
        FicError::Wildcard(Field::Issuer)
    );
    assert_eq!(
        create_err(FicDraft {
            audiences: Some(vec!["api://*".into()]),
            ..draft()
        }),
        FicError::Wildcard(Field::Audiences)
    );
    assert!(
        validate_create(
            &FicDraft {
                description: Some("matches *".into()),
                ..draft()
            },
            &[]
        )
        .is_ok()
    );
}

#[test]
fn the_twenty_first_credential_is_refused() {
    let existing: Vec<_> = (0..20)
        .map(|i| fic(i, &format!("fic{i:02}"), ISSUER, &format!("sub{i}")))
        .collect();
    assert_eq!(
        validate_create(&draft(), &existing).unwrap_err(),
        FicError::TooMany
    );
    assert!(validate_create(&draft(), &existing[..19]).is_ok());
}

#[test]
fn issuer_and_subject_are_unique_per_application_by_exact_comparison() {
    let existing = [fic(1, "first", ISSUER, SUBJECT)];
    assert_eq!(
        validate_create(&draft(), &existing).unwrap_err(),
        FicError::DuplicateIssuerSubject {
            issuer: ISSUER.into(),
            subject: SUBJECT.into()
        }
    );
    // A trailing slash or a different case is another issuer/subject for Entra.
    let slash = [fic(1, "first", &format!("{ISSUER}/"), SUBJECT)];
    assert!(validate_create(&draft(), &slash).is_ok());
    let upper = [fic(1, "first", ISSUER, &SUBJECT.to_uppercase())];
    assert!(validate_create(&draft(), &upper).is_ok());
}

#[test]
fn names_are_unique_per_application() {
    let existing = [fic(1, "Testing02", ISSUER, "other-subject")];
    assert_eq!(
        validate_create(&draft(), &existing).unwrap_err(),
        FicError::DuplicateName {
            name: "testing02".into()
        }
    );
}

#[test]
fn field_problems_reports_every_problem_at_once() {
    let d = FicDraft {
        id: None,
        name: Some("-a".into()),
        issuer: None,
        subject: Some("*".into()),
        audiences: Some(vec!["a".into(), "b".into()]),
        description: None,
        claims_matching_expression: None,
    };
    let problems = field_problems(&d, &[]);
    let fields: Vec<Field> = problems.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        fields,
        vec![
            Field::Name,
            Field::Name,
            Field::Issuer,
            Field::Subject,
            Field::Audiences
        ]
    );
    assert!(field_problems(&draft(), &[]).is_empty());
}

#[test]
fn patching_keeps_absent_properties_and_refuses_a_rename() {
    let existing = fic(1, "first", ISSUER, SUBJECT);
    let patched = validate_patch(
        &existing,
        &FicDraft {
            subject: Some("new-subject".into()),
            ..FicDraft::default()
        },
        std::slice::from_ref(&existing),
    )
    .unwrap();
    assert_eq!(patched.issuer, ISSUER);
    assert_eq!(patched.subject, "new-subject");
    assert_eq!(patched.id, existing.id);
    let rename = FicDraft {
        name: Some("second".into()),
        ..FicDraft::default()
    };
    assert_eq!(
        validate_patch(&existing, &rename, &[]).unwrap_err(),
        FicError::NameImmutable
    );
    let same_name = FicDraft {
        name: Some("first".into()),
        ..FicDraft::default()
    };
    assert!(validate_patch(&existing, &same_name, &[]).is_ok());
}

#[test]
fn patching_into_a_sibling_issuer_and_subject_is_refused() {
    let a = fic(1, "first", ISSUER, SUBJECT);
    let b = fic(2, "second", ISSUER, "other");
    let patch = FicDraft {
        subject: Some(SUBJECT.into()),
        ..FicDraft::default()
    };
    assert!(matches!(
        validate_patch(&b, &patch, &[a.clone(), b.clone()]),
        Err(FicError::DuplicateIssuerSubject { .. })
    ));
    // Re-sending its own values is not a conflict with itself.
    let same = FicDraft {
        subject: Some(SUBJECT.into()),
        ..FicDraft::default()
    };
    assert!(validate_patch(&a, &same, &[a.clone(), b]).is_ok());
}

#[test]
fn patching_applies_the_same_shape_rules() {
    let a = fic(1, "first", ISSUER, SUBJECT);
    let patch = FicDraft {
        audiences: Some(vec![]),
        ..FicDraft::default()
    };
    assert_eq!(
        validate_patch(&a, &patch, &[]).unwrap_err(),
        FicError::Missing(Field::Audiences)
    );
}

#[test]
fn drafts_parse_graph_bodies_and_tolerate_odata_members() {
    let d = FicDraft::parse_json(
        r##"{"@odata.type":"#microsoft.graph.federatedIdentityCredential","name":"testing02","issuer":"i","subject":"s","audiences":["a"],"description":null}"##,
    )
    .unwrap();
    assert_eq!(d.name.as_deref(), Some("testing02"));
    assert_eq!(d.description, None);
    assert_eq!(
        FicDraft::parse_json("{\"audiences\":\"a\"}"),
        Err(FicError::UnreadableBody)
    );
    assert_eq!(FicDraft::parse_json("[]"), Err(FicError::UnreadableBody));
}

#[test]
fn every_error_renders_a_graph_envelope() {
    let errors = vec![
        FicError::UnreadableBody,
        FicError::Missing(Field::Issuer),
        FicError::NameLength {
            name: "ab".into(),
            len: 2,
        },
        FicError::NameNotUrlFriendly {
            name: "my app".into(),
        },
        FicError::NameFirstCharNotAlphanumeric {
            name: "-abc".into(),
        },
        FicError::NameImmutable,
        FicError::AudienceCount { count: 2 },
        FicError::TooLong {
            field: Field::Subject,
            len: 601,
        },
        FicError::Wildcard(Field::Subject),
        FicError::TooMany,
        FicError::DuplicateIssuerSubject {
            issuer: ISSUER.into(),
            subject: SUBJECT.into(),
        },
        FicError::DuplicateName {
            name: "testing02".into(),
        },
    ];
    let rendered: Vec<_> = errors
        .iter()
        .map(|e| {
            let g = GraphError::from(e);
            serde_json::json!({
                "status": g.status(),
                "field": e.field(),
                "rule": e.rule(),
                "body": g.to_body(GraphRequestId(Guid::from_u128(1)), None, UnixTime(1_651_593_661)),
            })
        })
        .collect();
    insta::assert_json_snapshot!("fic_errors", rendered);
}

proptest! {
    #[test]
    fn arbitrary_bodies_never_panic(body in ".{0,300}") {
        if let Ok(d) = FicDraft::parse_json(&body) {
            let _ = validate_create(&d, &[]);
        }
    }

    #[test]
    fn arbitrary_drafts_never_panic_and_agree_with_field_problems(
        name in proptest::option::of(".{0,130}"),
        issuer in proptest::option::of(".{0,20}"),
        subject in proptest::option::of("[a-z*]{0,5}"),
        audiences in proptest::option::of(proptest::collection::vec(".{0,5}", 0..3)),
        description in proptest::option::of(".{0,5}"),
    ) {
        let d = FicDraft { id: None, name, issuer, subject, audiences, description, claims_matching_expression: None };
        let existing = [fic(1, "abc", ISSUER, SUBJECT)];
        let problems = field_problems(&d, &existing);
        prop_assert_eq!(validate_create(&d, &existing).is_ok(), problems.is_empty());
        let _ = validate_patch(&existing[0], &d, &existing);
    }
}

// Flexible FICs (`claimsMatchingExpression`).

fn flexible_draft(value: &str) -> FicDraft {
    FicDraft {
        issuer: Some("https://token.actions.githubusercontent.com".into()),
        subject: None,
        claims_matching_expression: Some(ClaimsMatchingExpression {
            value: value.into(),
            language_version: 1,
        }),
        ..draft()
    }
}

#[test]
fn a_flexible_fic_without_subject_is_accepted_and_keeps_its_expression() {
    let d = flexible_draft("claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'");
    let stored = validate_create(&d, &[])
        .unwrap()
        .with_id(ObjectId::from_u128(5));
    assert_eq!(stored.subject, "");
    assert_eq!(
        stored.claims_matching_expression.unwrap().value,
        "claims['sub'] matches 'repo:contoso/app:ref:refs/heads/*'"
    );
}

#[test]
fn an_expression_that_reads_no_sub_lacks_all_required_claims() {
    let e = create_err(flexible_draft("claims['repository_id'] eq '74'"));
    assert_eq!(e, FicError::ExpressionLacksRequiredClaims);
    assert_eq!(e.graph_code(), "InvalidFederatedIdentityCredentialValue");
    assert!(e.message().contains("lacks all required claims"));
}

#[test]
fn subject_and_expression_together_are_refused() {
    let d = FicDraft {
        subject: Some("repo:contoso/app:ref:refs/heads/main".into()),
        ..flexible_draft("claims['sub'] matches 'repo:contoso/app:*'")
    };
    assert_eq!(create_err(d), FicError::SubjectAndExpression);
}

#[test]
fn an_expression_outside_the_language_or_version_is_invalid() {
    assert!(matches!(
        create_err(flexible_draft("claims['sub'] like 'x'")),
        FicError::ExpressionInvalid { .. }
    ));
    let mut d = flexible_draft("claims['sub'] eq 'x'");
    if let Some(e) = d.claims_matching_expression.as_mut() {
        e.language_version = 2;
    }
    assert!(matches!(create_err(d), FicError::ExpressionInvalid { .. }));
}

#[test]
fn graph_json_with_a_null_subject_and_an_expression_parses_into_a_flexible_draft() {
    let d = FicDraft::parse_json(
        r#"{"name":"flex","issuer":"https://token.actions.githubusercontent.com","subject":null,
            "claimsMatchingExpression":{"value":"claims['sub'] matches 'repo:o/r:*'","languageVersion":1},
            "audiences":["api://AzureADTokenExchange"]}"#,
    )
    .unwrap();
    assert!(validate_create(&d, &[]).is_ok());
}
