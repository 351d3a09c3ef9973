/** An alphanumeric SMS sender id: 1–11 letters or digits, at least one letter (all-digit ids are numbers, not names). */
export const SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/;
export const SENDER_ID_RULE = 'an SMS sender id is 1–11 letters or digits with at least one letter';
