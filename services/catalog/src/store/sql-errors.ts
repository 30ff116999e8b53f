// The SQL error checks live in @fluxi/db, shared by every service's store.
export { isForeignKeyViolation, isUniqueViolation } from '@fluxi/db';
