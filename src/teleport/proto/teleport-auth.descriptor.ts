// Generated from teleport-auth.proto by scripts/generate-proto-descriptor.ts: do not edit by hand.

/** protobufjs JSON descriptor (Root.toJSON); typed loosely because protobufjs's own types omit map fields. */
export const TELEPORT_AUTH_DESCRIPTOR: Record<string, unknown> = {
  "nested": {
    "proto": {
      "nested": {
        "AuthService": {
          "methods": {
            "ListResources": {
              "requestType": "ListResourcesRequest",
              "responseType": "ListResourcesResponse"
            },
            "IsMFARequired": {
              "requestType": "IsMFARequiredRequest",
              "responseType": "IsMFARequiredResponse"
            },
            "GenerateUserCerts": {
              "requestType": "UserCertsRequest",
              "responseType": "Certs"
            }
          }
        },
        "ListResourcesRequest": {
          "fields": {
            "ResourceType": {
              "type": "string",
              "id": 1
            },
            "Namespace": {
              "type": "string",
              "id": 2
            },
            "Limit": {
              "type": "int32",
              "id": 3
            },
            "StartKey": {
              "type": "string",
              "id": 4
            },
            "Labels": {
              "keyType": "string",
              "type": "string",
              "id": 5
            },
            "PredicateExpression": {
              "type": "string",
              "id": 6
            },
            "SearchKeywords": {
              "rule": "repeated",
              "type": "string",
              "id": 7
            },
            "SortBy": {
              "type": "SortBy",
              "id": 8
            },
            "NeedTotalCount": {
              "type": "bool",
              "id": 9
            }
          }
        },
        "ListResourcesResponse": {
          "fields": {
            "Resources": {
              "rule": "repeated",
              "type": "PaginatedResource",
              "id": 1
            },
            "NextKey": {
              "type": "string",
              "id": 2
            },
            "TotalCount": {
              "type": "int32",
              "id": 3
            }
          }
        },
        "PaginatedResource": {
          "oneofs": {
            "resource": {
              "oneof": [
                "AppServer"
              ]
            }
          },
          "fields": {
            "AppServer": {
              "type": "AppServerV3",
              "id": 2
            }
          },
          "reserved": [
            [
              4,
              4
            ],
            [
              11,
              11
            ]
          ]
        },
        "IsMFARequiredRequest": {
          "oneofs": {
            "Target": {
              "oneof": [
                "App"
              ]
            }
          },
          "fields": {
            "App": {
              "type": "RouteToApp",
              "id": 6
            }
          }
        },
        "MFARequired": {
          "values": {
            "MFA_REQUIRED_UNSPECIFIED": 0,
            "MFA_REQUIRED_YES": 1,
            "MFA_REQUIRED_NO": 2
          }
        },
        "IsMFARequiredResponse": {
          "fields": {
            "Required": {
              "type": "bool",
              "id": 1
            },
            "MFARequired": {
              "type": "MFARequired",
              "id": 2
            }
          }
        },
        "UserCertsRequest": {
          "fields": {
            "Username": {
              "type": "string",
              "id": 2
            },
            "Expires": {
              "type": "google.protobuf.Timestamp",
              "id": 3
            },
            "RouteToCluster": {
              "type": "string",
              "id": 5
            },
            "Usage": {
              "type": "CertUsage",
              "id": 10
            },
            "RouteToApp": {
              "type": "RouteToApp",
              "id": 11
            },
            "RequesterName": {
              "type": "Requester",
              "id": 17
            },
            "SSHPublicKey": {
              "type": "bytes",
              "id": 22
            },
            "TLSPublicKey": {
              "type": "bytes",
              "id": 23
            }
          },
          "reserved": [
            [
              1,
              1
            ],
            [
              20,
              20
            ]
          ],
          "nested": {
            "CertUsage": {
              "values": {
                "All": 0,
                "SSH": 1,
                "Kubernetes": 2,
                "Database": 3,
                "App": 4,
                "WindowsDesktop": 5
              }
            },
            "Requester": {
              "values": {
                "UNSPECIFIED": 0,
                "TSH_DB_LOCAL_PROXY_TUNNEL": 1,
                "TSH_KUBE_LOCAL_PROXY": 2,
                "TSH_KUBE_LOCAL_PROXY_HEADLESS": 3,
                "TSH_APP_LOCAL_PROXY": 4,
                "TSH_DB_EXEC": 5
              }
            }
          }
        },
        "RouteToApp": {
          "fields": {
            "Name": {
              "type": "string",
              "id": 1
            },
            "PublicAddr": {
              "type": "string",
              "id": 3
            },
            "ClusterName": {
              "type": "string",
              "id": 4
            },
            "URI": {
              "type": "string",
              "id": 8
            },
            "TargetPort": {
              "type": "uint32",
              "id": 9
            }
          },
          "reserved": [
            [
              2,
              2
            ]
          ]
        },
        "Certs": {
          "fields": {
            "SSH": {
              "type": "bytes",
              "id": 1
            },
            "TLS": {
              "type": "bytes",
              "id": 2
            },
            "TLSCACerts": {
              "rule": "repeated",
              "type": "bytes",
              "id": 3
            },
            "SSHCACerts": {
              "rule": "repeated",
              "type": "bytes",
              "id": 4
            }
          }
        },
        "SortBy": {
          "fields": {
            "IsDesc": {
              "type": "bool",
              "id": 1
            },
            "Field": {
              "type": "string",
              "id": 2
            }
          }
        },
        "Metadata": {
          "fields": {
            "Name": {
              "type": "string",
              "id": 1
            },
            "Namespace": {
              "type": "string",
              "id": 2
            },
            "Description": {
              "type": "string",
              "id": 3
            },
            "Labels": {
              "keyType": "string",
              "type": "string",
              "id": 5
            },
            "Expires": {
              "type": "google.protobuf.Timestamp",
              "id": 6
            },
            "Revision": {
              "type": "string",
              "id": 8
            }
          },
          "reserved": [
            [
              7,
              7
            ]
          ]
        },
        "AppServerV3": {
          "fields": {
            "Kind": {
              "type": "string",
              "id": 1
            },
            "SubKind": {
              "type": "string",
              "id": 2
            },
            "Version": {
              "type": "string",
              "id": 3
            },
            "Metadata": {
              "type": "Metadata",
              "id": 4
            },
            "Spec": {
              "type": "AppServerSpecV3",
              "id": 5
            }
          }
        },
        "AppServerSpecV3": {
          "fields": {
            "Version": {
              "type": "string",
              "id": 1
            },
            "Hostname": {
              "type": "string",
              "id": 2
            },
            "HostID": {
              "type": "string",
              "id": 3
            },
            "App": {
              "type": "AppV3",
              "id": 5
            },
            "ProxyIDs": {
              "rule": "repeated",
              "type": "string",
              "id": 6
            }
          }
        },
        "AppV3": {
          "fields": {
            "Kind": {
              "type": "string",
              "id": 1
            },
            "SubKind": {
              "type": "string",
              "id": 2
            },
            "Version": {
              "type": "string",
              "id": 3
            },
            "Metadata": {
              "type": "Metadata",
              "id": 4
            },
            "Spec": {
              "type": "AppSpecV3",
              "id": 5
            }
          }
        },
        "AppSpecV3": {
          "fields": {
            "URI": {
              "type": "string",
              "id": 1
            },
            "PublicAddr": {
              "type": "string",
              "id": 2
            },
            "InsecureSkipVerify": {
              "type": "bool",
              "id": 4
            },
            "Rewrite": {
              "type": "Rewrite",
              "id": 5
            },
            "MCP": {
              "type": "MCP",
              "id": 15
            }
          }
        },
        "Rewrite": {
          "fields": {
            "Redirect": {
              "rule": "repeated",
              "type": "string",
              "id": 1
            },
            "Headers": {
              "rule": "repeated",
              "type": "Header",
              "id": 2
            },
            "JWTClaims": {
              "type": "string",
              "id": 3
            }
          }
        },
        "Header": {
          "fields": {
            "Name": {
              "type": "string",
              "id": 1
            },
            "Value": {
              "type": "string",
              "id": 2
            }
          }
        },
        "MCP": {
          "fields": {
            "command": {
              "type": "string",
              "id": 1
            },
            "args": {
              "rule": "repeated",
              "type": "string",
              "id": 2
            },
            "run_as_host_user": {
              "type": "string",
              "id": 3
            }
          }
        }
      }
    },
    "google": {
      "nested": {
        "protobuf": {
          "nested": {
            "Timestamp": {
              "fields": {
                "seconds": {
                  "type": "int64",
                  "id": 1
                },
                "nanos": {
                  "type": "int32",
                  "id": 2
                }
              }
            }
          }
        }
      }
    }
  }
};
