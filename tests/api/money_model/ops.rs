//! The steps of the money model: what a random history is made of. The
//! world they act on is in `world`; each family of steps in its own file
//! (`sales`, `commissions`, `payouts`).

#[derive(Debug, Clone)]
pub enum Op {
    /// A sale through an affiliate's referral, delivered `deliveries` times
    /// at once (a webhook retried); `import` backdates it so it can be due.
    Sale {
        who: u8,
        cents: u32,
        import: bool,
        deliveries: u8,
    },
    /// A refund of `percent` % of a sale, or of all of it.
    Refund {
        sale: u8,
        percent: Option<u8>,
    },
    /// The hold-period job, run as if a year had passed.
    Promote,
    /// A manual commission (negative: a manual clawback), pending or due.
    Manual {
        who: u8,
        cents: i32,
        due: bool,
    },
    Edit {
        commission: u8,
        cents: u32,
    },
    VoidCommission {
        commission: u8,
    },
    Adjust {
        who: u8,
        cents: i32,
    },
    /// The Due view's payouts, for one affiliate or every payable one.
    BatchPayout {
        who: Option<u8>,
    },
    /// Komerza's record of `percent` % of the available balance.
    Record {
        who: u8,
        percent: u8,
        store_credit: bool,
    },
    MarkPaid {
        payout: u8,
    },
    VoidPayout {
        payout: u8,
    },
}

impl Op {
    /// The step's kind (with store credit apart), for the run's tally.
    pub fn kind(&self) -> &'static str {
        match self {
            Op::Sale { deliveries: 1, .. } => "sale",
            Op::Sale { .. } => "sale delivered several times",
            Op::Refund {
                percent: Some(_), ..
            } => "partial refund",
            Op::Refund { percent: None, .. } => "full refund",
            Op::Promote => "promotion to due",
            Op::Manual { .. } => "manual commission",
            Op::Edit { .. } => "edit",
            Op::VoidCommission { .. } => "void commission",
            Op::Adjust { .. } => "adjustment",
            Op::BatchPayout { .. } => "batch payout",
            Op::Record {
                store_credit: false,
                ..
            } => "record payout",
            Op::Record {
                store_credit: true, ..
            } => "store-credit payout",
            Op::MarkPaid { .. } => "mark paid",
            Op::VoidPayout { .. } => "void payout",
        }
    }
}
