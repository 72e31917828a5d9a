//! A staff member's role in one store. Owners manage the team and the
//! store's settings; admins run the program.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Owner,
    Admin,
}

impl Role {
    pub const ALL: [Role; 2] = [Role::Owner, Role::Admin];

    pub fn parse(input: &str) -> Result<Self, String> {
        match input.trim() {
            "owner" => Ok(Role::Owner),
            "admin" => Ok(Role::Admin),
            _ => Err("must be owner or admin".into()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
        }
    }

    pub fn can_manage_team(self) -> bool {
        self == Role::Owner
    }

    pub fn can_edit_settings(self) -> bool {
        self == Role::Owner
    }
}
