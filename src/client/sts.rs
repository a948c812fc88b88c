//! STS methods of the [`Client`]: the [`api::sts`](crate::api::sts)
//! operations with the client's credentials.

use super::{Client, ClientError};
use crate::api::sts::{
    AssumeRole, AssumeRoleWithWebIdentity, AssumedRole, CallerIdentity, DecodeAuthorizationMessage,
    GetCallerIdentity, GetSessionToken,
};
use crate::sign::Credentials;

impl Client {
    /// `sts:GetCallerIdentity`.
    pub fn get_caller_identity(&self) -> Result<CallerIdentity, ClientError> {
        self.call(&GetCallerIdentity)
    }

    /// `sts:GetSessionToken`.
    pub fn get_session_token(&self, request: &GetSessionToken) -> Result<Credentials, ClientError> {
        self.call(request)
    }

    /// `sts:AssumeRole`.
    pub fn assume_role(&self, request: &AssumeRole) -> Result<AssumedRole, ClientError> {
        self.call(request)
    }

    /// `sts:AssumeRoleWithWebIdentity` (unsigned).
    pub fn assume_role_with_web_identity(
        &self,
        request: &AssumeRoleWithWebIdentity,
    ) -> Result<AssumedRole, ClientError> {
        self.call(request)
    }

    /// `sts:DecodeAuthorizationMessage`: the decoded JSON text.
    pub fn decode_authorization_message(&self, encoded: &str) -> Result<String, ClientError> {
        self.call(&DecodeAuthorizationMessage::new(encoded))
    }
}
